using Akka.Actor;
using Akka.Serialization;

namespace IoTSync.Serialization;

/// <summary>Akka's entry point to <see cref="IoTSyncCodec"/>, bound to <see cref="IIoTSyncMessage"/>.</summary>
public sealed class IoTSyncSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Stable: it is stored beside every event and snapshot.</summary>
    public const int Id = 731;

    /// <summary>The binding, merged under each node's HOCON so no configuration can forget it.</summary>
    public const string Hocon = """
        akka.actor {
          serializers.iotsync = "IoTSync.Serialization.IoTSyncSerializer, IoTSync.Actors"
          serialization-bindings { "IoTSync.Serialization.IIoTSyncMessage, IoTSync.Actors" = iotsync }
          serialization-identifiers { "IoTSync.Serialization.IoTSyncSerializer, IoTSync.Actors" = 731 }
        }
        """;

    public override int Identifier => Id;

    public override string Manifest(object o) => IoTSyncCodec.ManifestOf(o);

    public override byte[] ToBinary(object obj) => IoTSyncCodec.Encode(obj);

    public override object FromBinary(byte[] bytes, string manifest) => IoTSyncCodec.Decode(bytes, manifest);
}
