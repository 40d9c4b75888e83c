using IoTSync.Logs;
using IoTSync.Serialization;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The hash chain over the <see cref="DeviceRegistry"/>'s events, so that an event edited in the
/// database (a pinned host key or certificate, a heartbeat key) is found by <c>journal verify</c>
/// and at recovery. Each event's <c>Hash</c> is SHA-256 over the hash before it (the
/// <see cref="Genesis"/> for the first event), the event's manifest and its encoding with the hash
/// left out. Every event counts, including those written before the chain existed (they carry no
/// hash of their own): the first chained event after them covers them. Pure.
/// </summary>
/// <remarks>
/// Like the logs' hashes it finds an edit, not a forgery: whoever can write the database can
/// recompute the chain. The encoding is the codec's (the journal's own bytes): an event type gets a
/// new manifest when its shape changes, so an event hashes the same for as long as it is stored.
/// </remarks>
public static class RegistryChain
{
    /// <summary>The hash before the first event.</summary>
    public static Sha256Hash Genesis { get; } = Sha256Hash.Of("iotsync device-registry genesis"u8);

    /// <summary>The hash an event stores, or null for one written before the chain.</summary>
    public static Sha256Hash? StoredHash(IIoTSyncMessage @event) => @event switch
    {
        DeviceEnrolled e => e.Hash,
        DeviceDisabled e => e.Hash,
        DeviceEnabled e => e.Hash,
        CredentialsRotated e => e.Hash,
        _ => throw new ArgumentException($"{@event.GetType().Name} is not a registry event", nameof(@event)),
    };

    /// <summary>The event with <paramref name="hash"/> stored (null: none).</summary>
    public static IIoTSyncMessage WithHash(IIoTSyncMessage @event, Sha256Hash? hash) => @event switch
    {
        DeviceEnrolled e => e with { Hash = hash },
        DeviceDisabled e => e with { Hash = hash },
        DeviceEnabled e => e with { Hash = hash },
        CredentialsRotated e => e with { Hash = hash },
        _ => throw new ArgumentException($"{@event.GetType().Name} is not a registry event", nameof(@event)),
    };

    /// <summary>The chain's hash after <paramref name="event"/>, whatever hash it stores.</summary>
    public static Sha256Hash Next(Sha256Hash previous, IIoTSyncMessage @event) => EventChainLink.Next(previous, WithHash(@event, null));

    /// <summary>The event to persist after <paramref name="previous"/>: with its hash stored; and the chain's hash after it.</summary>
    public static (IIoTSyncMessage Sealed, Sha256Hash Head) Seal(Sha256Hash previous, IIoTSyncMessage @event)
    {
        var head = Next(previous, @event);
        return (WithHash(@event, head), head);
    }

    /// <summary>
    /// One event checked against the chain so far: why it does not hold (null when its stored hash
    /// matches, or it has none), and the hash the next event links to — its stored hash when it has
    /// one, so that after an edited event the next one is judged on its own and only the edited
    /// ones are named.
    /// </summary>
    public static (Sha256Hash Head, string? Problem) Check(Sha256Hash previous, IIoTSyncMessage @event)
    {
        var computed = Next(previous, @event);
        return StoredHash(@event) switch
        {
            { } stored when stored != computed => (stored,
                $"the stored hash {stored.Short} does not match the event's content and the events before it ({computed.Short}): this event, or an unchained one before it, was edited"),
            { } stored => (stored, null),
            null => (computed, null),
        };
    }

    /// <summary>Names an event for a finding: its manifest and device.</summary>
    public static string Describe(IIoTSyncMessage @event)
    {
        var device = @event switch
        {
            DeviceEnrolled e => e.Device.Device.Value,
            DeviceDisabled e => e.Device.Value,
            DeviceEnabled e => e.Device.Value,
            CredentialsRotated e => e.Device.Value,
            _ => "?",
        };
        return $"{IoTSyncCodec.ManifestOf(@event)} of device {device}";
    }
}
