using IoTSync.Serialization;

namespace IoTSync.Logs;

/// <summary>
/// One link of a hash chain over a persistent actor's events (the device registry's, the API tokens'):
/// SHA-256 over the hash before, the event's manifest and its codec encoding with its own hash left out.
/// The chains differ in their genesis and their event types; the link is the same. Pure.
/// </summary>
public static class EventChainLink
{
    /// <summary>The chain's hash after <paramref name="unhashed"/> (the event with no hash of its own).</summary>
    public static Sha256Hash Next(Sha256Hash previous, IIoTSyncMessage unhashed)
    {
        var writer = new CanonicalWriter();
        writer.Hash(previous);
        writer.Tag(IoTSyncCodec.ManifestOf(unhashed));
        var encoded = IoTSyncCodec.Encode(unhashed);
        writer.Int32(encoded.Length);
        return Sha256Hash.Of([.. writer.ToArray(), .. encoded]);
    }
}
