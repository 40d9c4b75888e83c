using System.Collections.Immutable;
using IoTSync.Model;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// Which alert, if any, one webhook is sent for a health change, given the devices it has been alerted
/// about and not yet told recovered (<paramref name="Open"/>). Pure.
/// </summary>
/// <remarks>
/// A change into trouble is sent as its new status when the webhook takes that kind, and opens the device.
/// A change back to ok or dark is sent as <c>recovered</c> only for an open device, so a webhook hears the
/// end of every episode it heard begin (late, then failing, then ok: recovered, though it takes only
/// late) and never of one it did not. Changes between ok/dark and never-seen are no alert.
/// </remarks>
public sealed record AlertRouting(ImmutableHashSet<string> Kinds, ImmutableHashSet<DeviceId> Open)
{
    /// <summary>A webhook taking <paramref name="kinds"/>, alerted about nothing yet.</summary>
    public static AlertRouting For(ImmutableHashSet<string> kinds) => new(kinds, []);

    /// <summary>The routing after <paramref name="change"/>, and the kind to send the webhook, or null.</summary>
    public (AlertRouting Routing, string? Kind) Route(HealthChanged change)
    {
        if (HealthChanges.IsTrouble(change.To))
            return Kinds.Contains(change.To) ? (this with { Open = Open.Add(change.Device) }, change.To) : (this, null);
        if (HealthChanges.IsHealthy(change.To) && Open.Contains(change.Device))
            return (this with { Open = Open.Remove(change.Device) }, Kinds.Contains(AlertKinds.Recovered) ? AlertKinds.Recovered : null);
        return (this, null);
    }
}
