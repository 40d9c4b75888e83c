using System.ComponentModel;
using System.Runtime.InteropServices;

namespace IoTSync.TestBed;

/// <summary>
/// Runs code on a thread of its own inside a named network namespace (as <see cref="NamespaceSockets"/>
/// does for one socket): what it opens there (netlink sockets for nftables, say) belongs to that
/// namespace. The thread goes back before it ends.
/// </summary>
public static class NamespaceThreads
{
    private const int CloneNewNet = 0x40000000;

    public static Task<T> Run<T>(string ns, Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(Path.Combine("/run/netns", ns), FileMode.Open, FileAccess.Read);
                using var home = File.OpenHandle("/proc/thread-self/ns/net", FileMode.Open, FileAccess.Read);
                if (Native.setns((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                    throw new Win32Exception(Marshal.GetLastPInvokeError(), $"setns into network namespace {ns} failed");
                try
                {
                    done.SetResult(work());
                }
                finally
                {
                    _ = Native.setns((int)home.DangerousGetHandle(), CloneNewNet);
                }
            }
            catch (Exception e)
            {
                done.TrySetException(e);
            }
        })
        { IsBackground = true, Name = $"netns {ns}" };
        thread.Start();
        return done.Task;
    }
}
