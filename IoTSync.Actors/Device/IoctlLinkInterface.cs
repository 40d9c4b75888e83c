using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace IoTSync.Device;

/// <summary>
/// Mode <c>ip</c> without a process per window: the link's flags set and read in-process with
/// <c>ioctl(SIOCGIFFLAGS/SIOCSIFFLAGS)</c> — what <c>ip link set dev IFACE up|down</c> does, minus
/// starting <c>ip</c> — and usable once the link is up with carrier (<c>IFF_RUNNING</c>) and the
/// kernel holds a route through it (<c>/proc/thread-self/net/route</c>: it keeps a connected route
/// only while the interface has an address). Acts in the network namespace of the calling thread
/// and needs <c>CAP_NET_ADMIN</c>, as <c>ip</c> does. Not mode <c>ip</c>'s default yet: taking the
/// link down this fast after the session's end drops sshd's last packets (exit status, close) on
/// their way to the mirror, which then waits for them until its close timeout and refuses the
/// next windows' sessions while it does; the firewall's linger cannot help a link that is down.
/// </summary>
public sealed class IoctlLinkInterface : INetworkInterface
{
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int SockCloexec = 0x80000;
    private const ulong SiocGetFlags = 0x8913;
    private const ulong SiocSetFlags = 0x8914;
    private const short IffUp = 0x1;
    private const short IffRunning = 0x40;
    // struct ifreq: IFNAMSIZ (16) name bytes, then a 24-byte union whose first member here is ifr_flags (short).
    private const int IfreqSize = 40;
    private const int NameSize = 16;
    private readonly string _name;

    public IoctlLinkInterface(string interfaceName)
    {
        if (interfaceName.Length is 0 or >= NameSize || Encoding.ASCII.GetByteCount(interfaceName) != interfaceName.Length)
            throw new ArgumentException($"'{interfaceName}' is not an interface name (1-15 ASCII characters)", nameof(interfaceName));
        _name = interfaceName;
    }

    public Task Up(CancellationToken cancellationToken)
    {
        SetFlags(flags => (short)(flags | IffUp));
        return Task.CompletedTask;
    }

    public Task Down(CancellationToken cancellationToken)
    {
        SetFlags(flags => (short)(flags & ~IffUp));
        return Task.CompletedTask;
    }

    public Task<bool> IsUsable(CancellationToken cancellationToken)
    {
        var flags = WithSocket(socket => GetFlags(socket));
        return Task.FromResult((flags & IffUp) != 0 && (flags & IffRunning) != 0 && HasRoute());
    }

    private void SetFlags(Func<short, short> change) => WithSocket(socket =>
    {
        var request = Request();
        Check(ioctl(socket, SiocGetFlags, request), "SIOCGIFFLAGS");
        BitConverter.TryWriteBytes(request.AsSpan(NameSize, 2), change(BitConverter.ToInt16(request, NameSize)));
        Check(ioctl(socket, SiocSetFlags, request), "SIOCSIFFLAGS");
        return 0;
    });

    private short GetFlags(int socket)
    {
        var request = Request();
        Check(ioctl(socket, SiocGetFlags, request), "SIOCGIFFLAGS");
        return BitConverter.ToInt16(request, NameSize);
    }

    /// <summary>A route through the interface: "Iface\tDestination\t..." lines after a header.</summary>
    private bool HasRoute() =>
        File.ReadLines("/proc/thread-self/net/route").Skip(1).Any(line => line.Split('\t', 2)[0] == _name);

    private byte[] Request()
    {
        var request = new byte[IfreqSize];
        Encoding.ASCII.GetBytes(_name, request);
        return request;
    }

    private static T WithSocket<T>(Func<int, T> work)
    {
        var socket = socket_(AfInet, SockDgram | SockCloexec, 0);
        if (socket < 0)
            throw new Win32Exception(Marshal.GetLastPInvokeError(), "socket(AF_INET, SOCK_DGRAM) for the interface's flags failed");
        try
        {
            return work(socket);
        }
        finally
        {
            _ = close(socket);
        }
    }

    private void Check(int result, string what)
    {
        if (result < 0)
            throw new IOException($"{what} on {_name} failed: {new Win32Exception(Marshal.GetLastPInvokeError()).Message}");
    }

    [DllImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static extern int socket_(int domain, int type, int protocol);

    [DllImport("libc", SetLastError = true)]
    private static extern int ioctl(int fd, ulong request, byte[] argument);

    [DllImport("libc")]
    private static extern int close(int fd);
}
