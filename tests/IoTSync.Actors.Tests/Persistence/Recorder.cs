using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Serialization;
using Akka.Configuration;

namespace IoTSync.Tests.Persistence;

/// <summary>Event of the test-only <see cref="Recorder"/>.</summary>
public sealed record Recorded(string Value);

/// <summary>Snapshot of the test-only <see cref="Recorder"/>.</summary>
public sealed record RecorderSnapshot(ImmutableList<string> Values);

/// <summary>Command: persist <see cref="Recorded"/>; answered with <see cref="Persisted"/>.</summary>
public sealed record Record(string Value);

/// <summary>Reply: the event is in the journal at <paramref name="SequenceNr"/>.</summary>
public sealed record Persisted(string Value, long SequenceNr);

/// <summary>Command: save a snapshot; answered with <see cref="SnapshotTaken"/>.</summary>
public sealed record TakeSnapshot;

/// <summary>Reply: the snapshot store confirmed a snapshot at <paramref name="SequenceNr"/>.</summary>
public sealed record SnapshotTaken(long SequenceNr);

/// <summary>Command: answered with <see cref="RecorderState"/>.</summary>
public sealed record GetState;

/// <summary>
/// Reply: the recorded values and, when recovery started from a snapshot, that snapshot's
/// sequence number (0 otherwise).
/// </summary>
public sealed record RecorderState(ImmutableList<string> Values, long RecoveredFromSnapshotAt);

/// <summary>Test-only persistent actor that records strings, one event each.</summary>
public sealed class Recorder : ReceivePersistentActor
{
    private ImmutableList<string> _values = ImmutableList<string>.Empty;
    private long _recoveredFromSnapshotAt;
    private IActorRef? _snapshotRequester;

    public Recorder(string persistenceId)
    {
        PersistenceId = persistenceId;

        Recover<SnapshotOffer>(offer =>
        {
            _values = ((RecorderSnapshot)offer.Snapshot).Values;
            _recoveredFromSnapshotAt = offer.Metadata.SequenceNr;
        });
        Recover<Recorded>(e => _values = _values.Add(e.Value));

        Command<Record>(cmd => Persist(new Recorded(cmd.Value), e =>
        {
            _values = _values.Add(e.Value);
            Sender.Tell(new Persisted(e.Value, LastSequenceNr));
        }));
        Command<TakeSnapshot>(_ =>
        {
            _snapshotRequester = Sender;
            SaveSnapshot(new RecorderSnapshot(_values));
        });
        Command<SaveSnapshotSuccess>(s => _snapshotRequester?.Tell(new SnapshotTaken(s.Metadata.SequenceNr)));
        Command<SaveSnapshotFailure>(f => _snapshotRequester?.Tell(new Status.Failure(f.Cause)));
        Command<GetState>(_ => Sender.Tell(new RecorderState(_values, _recoveredFromSnapshotAt)));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId) => Akka.Actor.Props.Create(() => new Recorder(persistenceId));
}

/// <summary>
/// Test-only serializer for the <see cref="Recorder"/>'s event and snapshot, standing in for the
/// project's own serializer: proves the plugins honour serialization-bindings.
/// </summary>
public sealed class RecorderSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 9_101;

    /// <summary>Binds the recorder's types to this serializer.</summary>
    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers.iotsync-test-recorder = "{{typeof(RecorderSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            "{{typeof(Recorded).FullName}}, {{typeof(Recorded).Assembly.GetName().Name}}" = iotsync-test-recorder
            "{{typeof(RecorderSnapshot).FullName}}, {{typeof(RecorderSnapshot).Assembly.GetName().Name}}" = iotsync-test-recorder
          }
        }
        """);

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        Recorded => "R",
        RecorderSnapshot => "S",
        _ => throw new ArgumentException($"Cannot serialize {o.GetType()}", nameof(o)),
    };

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
        {
            switch (obj)
            {
                case Recorded e:
                    writer.Write(e.Value);
                    break;
                case RecorderSnapshot s:
                    writer.Write(s.Values.Count);
                    foreach (var v in s.Values)
                        writer.Write(v);
                    break;
                default:
                    throw new ArgumentException($"Cannot serialize {obj.GetType()}", nameof(obj));
            }
        }
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        switch (manifest)
        {
            case "R":
                return new Recorded(reader.ReadString());
            case "S":
                var count = reader.ReadInt32();
                var values = ImmutableList.CreateBuilder<string>();
                for (var i = 0; i < count; i++)
                    values.Add(reader.ReadString());
                return new RecorderSnapshot(values.ToImmutable());
            default:
                throw new ArgumentException($"Unknown manifest '{manifest}'", nameof(manifest));
        }
    }
}
