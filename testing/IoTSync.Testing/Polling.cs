using System.Diagnostics;

namespace IoTSync.Testing;

/// <summary>Waiting for a condition the way the demo, the benches and the tests do: polled, with a deadline, never a fixed sleep.</summary>
public static class Polling
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Polls <paramref name="probe"/> until it gives a value; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> Until<T>(string what, TimeSpan timeout, Func<Task<T?>> probe, TimeSpan? interval = null) where T : struct
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await probe() is { } value)
                return value;
            // The value probes run the node CLIs or read their logs: a coarser step is enough.
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
        throw new TimeoutException($"not seen within {timeout.TotalSeconds:0} s: {what}");
    }

    /// <summary>Polls <paramref name="condition"/> every 20 ms until it holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/> (15 s by default).</summary>
    public static async Task Until(Func<Task<bool>> condition, TimeSpan? timeout = null, string what = "condition")
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > limit)
                throw new TimeoutException($"{what} not met within {limit}");
            await Task.Delay(20);
        }
    }
}
