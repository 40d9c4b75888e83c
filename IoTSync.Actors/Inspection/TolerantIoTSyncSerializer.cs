using Akka.Actor;
using Akka.Serialization;
using IoTSync.Serialization;

namespace IoTSync.Inspection;

/// <summary>
/// The journal inspection's stand-in for <see cref="IoTSyncSerializer"/>: same identifier, same
/// codec, but bytes that do not decode come back as an <see cref="UndecodablePayload"/> instead of
/// an exception. Akka.Persistence.Sql picks the serializer by the identifier stored in each row,
/// so a tampered payload then reaches the audit with its sequence number instead of failing the
/// whole query. Never used by a node: it cannot write.
/// </summary>
public sealed class TolerantIoTSyncSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Binds this class to <see cref="IoTSyncSerializer.Id"/> in the inspection's own ActorSystem.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.iotsync = "IoTSync.Inspection.TolerantIoTSyncSerializer, IoTSync.Actors"
          serialization-bindings { "IoTSync.Serialization.IIoTSyncMessage, IoTSync.Actors" = iotsync }
          serialization-identifiers { "IoTSync.Inspection.TolerantIoTSyncSerializer, IoTSync.Actors" = 731 }
        }
        """;

    public override int Identifier => IoTSyncSerializer.Id;

    public override string Manifest(object o) => IoTSyncCodec.ManifestOf(o);

    public override byte[] ToBinary(object obj) =>
        throw new NotSupportedException("the journal inspection reads only");

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            return IoTSyncCodec.Decode(bytes, manifest);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // FormatException is the codec's answer; anything else a decoder throws on hostile bytes is reported the same way.
            return new UndecodablePayload(manifest, bytes, e.Message);
        }
    }
}
