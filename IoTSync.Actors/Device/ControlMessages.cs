using System.Collections.Immutable;
using IoTSync.Journal;
using IoTSync.Serialization;

namespace IoTSync.Device;

/// <summary>
/// The first frame a local client sends on the device node's control socket, and the answers.
/// Only these are decoded there.
/// </summary>
public abstract record ControlMessage : IIoTSyncMessage;

/// <summary>Record and run a command on the device (the <c>exec</c> CLI). Answered with <see cref="ExecReply"/>.</summary>
public sealed record ExecRequest(ImmutableArray<string> Argv, string Issuer) : ControlMessage;

/// <summary>The durable command entry and, for a device command, its result entry.</summary>
public sealed record ExecReply(LogEntry Command, LogEntry? Result) : ControlMessage;

/// <summary>The connection carries one sync exchange from here on (what <c>sync-endpoint</c> relays).</summary>
public sealed record SyncSessionRequest : ControlMessage
{
    public static SyncSessionRequest Instance { get; } = new();
}

/// <summary>The request was not carried out, and why.</summary>
public sealed record ControlError(string Message) : ControlMessage;
