using System.Diagnostics;

namespace IoTSync.Demo.Rig;

/// <summary>Waiting for a condition the way the demo and the tests do: polled, with a deadline, never a fixed sleep.</summary>
public static class Polling
{
    /// <summary>Polls <paramref name="probe"/> until it gives a value; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> Until<T>(string what, TimeSpan timeout, Func<Task<T?>> probe) where T : struct
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await probe() is { } value)
                return value;
            await Task.Delay(200);
        }
        throw new TimeoutException($"not seen within {timeout.TotalSeconds:0} s: {what}");
    }
}
