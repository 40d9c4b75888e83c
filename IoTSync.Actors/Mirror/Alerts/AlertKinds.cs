using System.Collections.Immutable;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// The kinds of alert a webhook can be sent: a device turned <c>late</c>, <c>failing</c>, <c>diverged</c>,
/// <c>corrupt</c> or <c>mismatch</c>, or <c>recovered</c> from one of them to ok or dark.
/// </summary>
public static class AlertKinds
{
    public const string Recovered = "recovered";

    /// <summary>Every kind, as configuration and alert bodies spell it.</summary>
    public static ImmutableHashSet<string> All { get; } = ["late", "failing", "diverged", "corrupt", "mismatch", Recovered];

    /// <summary>What a webhook is sent when its configuration does not say: everything but <c>mismatch</c>.</summary>
    public static ImmutableHashSet<string> Default { get; } = ["late", "failing", "diverged", "corrupt", Recovered];
}
