using IoTSync.Control;
using IoTSync.Logs;
using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Testing.Serialization;

namespace IoTSync.Testing.Fuzzing;

/// <summary>
/// The four decoders that read bytes someone else wrote: the exchange frame decoder (the SSH
/// channel), the entry decoder (journal events and the entries inside batches), the heartbeat
/// decoder (what Akka.Remote calls for a heartbeat) and the control-request decoder (the node's
/// owner-only socket).
/// </summary>
public static class DecoderTargets
{
    /// <summary>A key of the minimum length: a decoded heartbeat goes straight to the MAC check.</summary>
    private static readonly byte[] HeartbeatKey = new byte[HeartbeatAuthenticator.MinimumKeyBytes];

    // Akka.Remote hands the serializer the bytes and the manifest; our serializer never touches the system.
    private static readonly IoTSyncSerializer Serializer = new(null!);

    public static DecoderTarget Frame { get; } = new("frame", typeof(FrameException), Framed: true,
        input => ReadAll<ExchangeMessage>(input, FrameCodec.DefaultMaxFrameBytes),
        [.. Samples<ExchangeMessage>().Select(Framed)]);

    public static DecoderTarget Entry { get; } = new("entry", typeof(FormatException), Framed: false,
        input => _ = ((EntryAppended)IoTSyncCodec.Decode(input, "entry-appended")).Entry.HasValidHash,
        [.. Entries().Select(e => IoTSyncCodec.Encode(new EntryAppended(e)))]);

    public static DecoderTarget Heartbeat { get; } = new("heartbeat", typeof(FormatException), Framed: false,
        input => _ = HeartbeatAuthenticator.HasValidMac((Heartbeat)Serializer.FromBinary(input, "heartbeat-2"), HeartbeatKey),
        [.. Samples<Heartbeat>().Select(h => IoTSyncCodec.Encode(HeartbeatAuthenticator.Sign(h, HeartbeatKey)))]);

    public static DecoderTarget Control { get; } = new("control", typeof(FrameException), Framed: true,
        input => ReadAll<ControlMessage>(input, ControlConnection.MaxRequestBytes),
        [.. Samples<ControlMessage>().Select(Framed)]);

    public static IReadOnlyList<DecoderTarget> All { get; } = [Frame, Entry, Heartbeat, Control];

    public static DecoderTarget Named(string name) =>
        All.SingleOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}' (one of {string.Join(", ", All.Select(t => t.Name))})");

    /// <summary>A frame as <see cref="FrameCodec.Write"/> makes it.</summary>
    public static byte[] Framed(IIoTSyncMessage message)
    {
        using var stream = new MemoryStream();
        FrameCodec.Write(stream, message, CancellationToken.None).GetAwaiter().GetResult();
        return stream.ToArray();
    }

    // A MemoryStream completes every read synchronously: the call is bounded by the input's length.
    private static void ReadAll<T>(byte[] input, int maxFrameBytes) where T : class, IIoTSyncMessage
    {
        using var stream = new MemoryStream(input, writable: false);
        while (FrameCodec.Read<T>(stream, maxFrameBytes, CancellationToken.None).GetAwaiter().GetResult() is not null)
        {
        }
    }

    private static IEnumerable<T> Samples<T>() => MessageSamples.All().OfType<T>();

    private static IEnumerable<LogEntry> Entries() =>
        MessageSamples.All().SelectMany(m => m switch
        {
            EntryAppended appended => [appended.Entry],
            PushEntries push => push.Entries,
            PulledEntries pulled => pulled.Entries,
            _ => Enumerable.Empty<LogEntry>(),
        }).DistinctBy(e => e.Hash);
}
