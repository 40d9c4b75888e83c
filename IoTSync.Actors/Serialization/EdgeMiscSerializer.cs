using Akka.Actor;
using Akka.Remote.Serialization;
using Akka.Serialization;

namespace IoTSync.Serialization;

/// <summary>
/// Akka.Remote's serializer for its own small messages (Identify, ActorIdentity, Status, …) on a node's
/// edge, except that it refuses to read a <see cref="Kill"/> or a <see cref="PoisonPill"/>. Untrusted mode
/// drops a remote PoisonPill but delivers a remote Kill (in Akka.NET 1.5.74 Kill is not IPossiblyHarmful),
/// and a Kill sent by direct reference to the edge's system actors (<c>/system/transports</c>,
/// <c>/system/endpointManager</c>) ends its remoting: one frame from a peer with a valid certificate would
/// cut a device off from its mirror, or every device off from the mirror. A frame that cannot be read is
/// dropped with a warning. Sent under the same identifier and manifests as the one it replaces.
/// </summary>
public sealed class EdgeMiscSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The HOCON that puts it in place of Akka.Remote's <c>akka-misc</c> serializer, under its identifier.</summary>
    public const string Hocon = """
        akka.actor.serializers.akka-misc = "IoTSync.Serialization.EdgeMiscSerializer, IoTSync.Actors"
        akka.actor.serialization-identifiers."IoTSync.Serialization.EdgeMiscSerializer, IoTSync.Actors" = 16
        """;

    private readonly MiscMessageSerializer _inner = new(system);

    public override byte[] ToBinary(object obj) => _inner.ToBinary(obj);

    public override string Manifest(object o) => _inner.Manifest(o);

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var message = _inner.FromBinary(bytes, manifest);
        return message is Kill or PoisonPill
            ? throw new System.Runtime.Serialization.SerializationException($"a remote {message.GetType().Name} is refused on the edge")
            : message;
    }
}
