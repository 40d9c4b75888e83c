using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Logs;

/// <summary>
/// The back-off of a <see cref="JournalSupervisor"/>: the first restart after <see cref="MinBackoff"/>, each next
/// one twice as late up to <see cref="MaxBackoff"/>, each stretched by up to <see cref="RandomFactor"/> of itself.
/// Read from <c>iotsync.journal-restart</c> (hocon/shared.hocon).
/// </summary>
public sealed record JournalRestartSettings(TimeSpan MinBackoff, TimeSpan MaxBackoff, double RandomFactor)
{
    public const string ConfigPath = "iotsync.journal-restart";

    public static JournalRestartSettings Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2);

    /// <summary>The delay before restart number <paramref name="restarts"/> + 1; <paramref name="random"/> in [0, 1).</summary>
    public TimeSpan DelayAfter(int restarts, double random)
    {
        var doubled = MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(restarts, 30));
        var capped = Math.Min(doubled, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Min(capped * (1 + RandomFactor * random), MaxBackoff.TotalMilliseconds * (1 + RandomFactor)));
    }

    public static JournalRestartSettings FromConfig(Config root)
    {
        if (!root.HasPath(ConfigPath))
            return Default;
        var min = root.RequireDuration($"{ConfigPath}.min-backoff");
        var max = root.RequireDuration($"{ConfigPath}.max-backoff");
        if (max < min)
            throw new ConfigurationException($"{ConfigPath}.max-backoff must be at least min-backoff ({min})");
        var path = $"{ConfigPath}.random-factor";
        double factor;
        try
        {
            factor = root.GetDouble(path, double.NaN);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path} must be a number from 0 to 1");
        }
        if (double.IsNaN(factor) || factor < 0 || factor > 1)
            throw new ConfigurationException($"{path} must be a number from 0 to 1");
        return new JournalRestartSettings(min, max, factor);
    }
}
