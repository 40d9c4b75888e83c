using System.Globalization;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// What counts as a health change, decided from the label last observed for a device and its verdict now. Pure.
/// </summary>
/// <remarks>
/// <c>ok</c> and <c>dark</c> are one health: a device is ok in its window and dark between windows every
/// cycle, which is how it should be, not news (the windows are an event of their own). Every other change
/// of label is a change. The first observation of a device (the mirror just started, or the device was
/// just enrolled) is a change only when it is already in trouble (<see cref="IsTrouble"/>), from
/// <see cref="Unknown"/>: an alert raised before a restart may never have been delivered, so a device
/// still in trouble is alerted again; a device that recovered while the mirror was down is not.
/// </remarks>
public static class HealthChanges
{
    /// <summary>The <see cref="HealthChanged.From"/> of a device first observed in trouble: the watch had no earlier verdict.</summary>
    public const string Unknown = "unknown";

    private static readonly HashSet<string> Trouble = ["late", "failing", "diverged", "corrupt", "mismatch"];

    /// <summary>True for the labels that need an operator's attention: late, failing, diverged, corrupt and mismatch.</summary>
    public static bool IsTrouble(string label) => Trouble.Contains(label);

    /// <summary>True for ok and dark: the device calls home as it should.</summary>
    public static bool IsHealthy(string label) => label is "ok" or "dark";

    /// <summary>True when <paramref name="change"/> takes a device out of trouble back to ok or dark.</summary>
    public static bool IsRecovery(HealthChanged change) => IsTrouble(change.From) && IsHealthy(change.To);

    /// <summary>
    /// The change from <paramref name="previous"/> (null: first observation) to <paramref name="now"/>, or
    /// null when there is none to publish.
    /// </summary>
    public static HealthChanged? Decide(DeviceId device, string? previous, string now, long atUnixMs, string? detail) =>
        previous is null ? (IsTrouble(now) ? new HealthChanged(device, Unknown, now, atUnixMs, detail) : null)
        : previous == now || (IsHealthy(previous) && IsHealthy(now)) ? null
        : new HealthChanged(device, previous, now, atUnixMs, detail);

    /// <summary>What a person needs to know about the device in this verdict: what is wrong, or when it was last heard from.</summary>
    public static string? DetailOf(StateJournalState state, LivenessVerdict verdict) => DetailOf(DeviceSummary.Of(state), verdict);

    /// <summary>What a person needs to know about the device in this verdict, from its summary.</summary>
    public static string? DetailOf(DeviceSummary summary, LivenessVerdict verdict) => verdict.Status switch
    {
        LivenessStatus.Late => string.Create(CultureInfo.InvariantCulture,
            $"no heartbeat for {verdict.SilentForMs / 1000} s, {verdict.MissedWindows} windows missed (cycle {summary.CyclePeriodMs / 1000.0} s)"),
        LivenessStatus.Failing => $"its last two sessions failed the same way: {summary.RepeatedSessionFailure}",
        LivenessStatus.Diverged or LivenessStatus.Corrupt or LivenessStatus.Mismatch => Liveness.ProblemOf(summary),
        LivenessStatus.NeverSeen => null,
        _ => string.Create(CultureInfo.InvariantCulture, $"last heartbeat {verdict.SilentForMs / 1000} s ago"),
    };
}
