using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Serialization;

namespace IoTSync.Protocol;

/// <summary>
/// The messages of one sync exchange. The mirror sends a request and the device answers it;
/// the transport (in-memory, SSH stdin/stdout) only carries them.
/// </summary>
public abstract record ExchangeMessage : IIoTSyncMessage
{
    public const int ProtocolVersion = 1;
}

/// <summary>First message both ways: who, which session, and the sender's view of both logs.</summary>
public sealed record Hello(DeviceId Device, string SessionId, int Version, SyncView View) : ExchangeMessage;

/// <summary>Mirror to device: mirror-log entries the device lacks, in order.</summary>
public sealed record PushEntries(ImmutableArray<LogEntry> Entries) : ExchangeMessage;

/// <summary>Device to mirror: the push was stored (and its commands dealt with within the budget).</summary>
public sealed record PushAccepted(SyncView View) : ExchangeMessage;

/// <summary>Mirror to device: send device-log entries from <see cref="FromSequence"/> on.</summary>
public sealed record PullRequest(long FromSequence, int MaxEntries) : ExchangeMessage;

/// <summary>Device to mirror: the requested device-log entries, in order.</summary>
public sealed record PulledEntries(ImmutableArray<LogEntry> Entries) : ExchangeMessage;

/// <summary>Last message both ways: the sender's view after the exchange.</summary>
public sealed record Done(SyncView View) : ExchangeMessage;

/// <summary>Either side: the exchange stops here; nothing of the offending batch was applied.</summary>
public sealed record Refused(Verdict Verdict, long Sequence, string Detail) : ExchangeMessage
{
    public static Refused From(ChainCheck check) => new(check.Verdict, check.Sequence, check.Detail);

    public override string ToString() => $"{Verdict} at {Sequence}: {Detail}";
}
