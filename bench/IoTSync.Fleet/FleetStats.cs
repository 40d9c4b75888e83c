using System.Collections.Concurrent;

namespace IoTSync.Fleet;

/// <summary>What the run saw, gathered from every device's windows at once: counts, latencies and errors by reason.</summary>
public sealed class FleetStats
{
    private readonly Lock _gate = new();
    private readonly List<double> _heartbeatMs = [];
    private readonly List<double> _windowMs = [];
    private readonly List<double> _syncWindowMs = [];
    private long _answered;
    private long _syncs;
    private long _windows;
    private long _commandsLeft;

    /// <summary>Errors by reason, over the whole run (the measured part and the drain after it).</summary>
    public ConcurrentDictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    public long HeartbeatsAnswered => Interlocked.Read(ref _answered);

    public long Syncs => Interlocked.Read(ref _syncs);

    public long Windows => Interlocked.Read(ref _windows);

    public long CommandsLeft => Interlocked.Read(ref _commandsLeft);

    public void Error(string reason) => Errors.AddOrUpdate(reason, 1, (_, count) => count + 1);

    public void CommandLeft() => Interlocked.Increment(ref _commandsLeft);

    /// <summary>A signed answer verified, <paramref name="milliseconds"/> after the sender was asked to call the mirror.</summary>
    public void Answered(bool measured, double milliseconds)
    {
        if (!measured)
            return;
        Interlocked.Increment(ref _answered);
        lock (_gate)
            _heartbeatMs.Add(milliseconds);
    }

    /// <summary>A window closed after <paramref name="milliseconds"/> (heartbeat to the session's end); <paramref name="synced"/>: with a finished exchange.</summary>
    public void Window(bool measured, double milliseconds, bool synced)
    {
        if (!measured)
            return;
        Interlocked.Increment(ref _windows);
        if (synced)
            Interlocked.Increment(ref _syncs);
        lock (_gate)
        {
            _windowMs.Add(milliseconds);
            if (synced)
                _syncWindowMs.Add(milliseconds);
        }
    }

    public Percentiles HeartbeatLatency()
    {
        lock (_gate)
            return Percentiles.Of(_heartbeatMs);
    }

    public Percentiles WindowLength()
    {
        lock (_gate)
            return Percentiles.Of(_windowMs);
    }

    public Percentiles SyncWindowLength()
    {
        lock (_gate)
            return Percentiles.Of(_syncWindowMs);
    }
}

/// <summary>How many, and the 50th, 95th and 99th percentiles and the worst, in milliseconds.</summary>
public sealed record Percentiles(int Count, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static Percentiles Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        double At(double q) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))];
        return new Percentiles(sorted.Count, At(0.50), At(0.95), At(0.99), sorted.Count == 0 ? 0 : sorted[^1]);
    }
}
