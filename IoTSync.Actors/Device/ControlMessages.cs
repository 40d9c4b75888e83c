using System.Collections.Immutable;
using IoTSync.Control;
using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>Record and run a command on the device (the <c>exec</c> CLI). Answered with <see cref="ExecReply"/>.</summary>
public sealed record ExecRequest(ImmutableArray<string> Argv, string Issuer) : ControlMessage;

/// <summary>The durable command entry and, for a device command, its result entry.</summary>
public sealed record ExecReply(LogEntry Command, LogEntry? Result) : ControlMessage;

/// <summary>The connection carries one sync exchange from here on (what <c>sync-endpoint</c> relays).</summary>
public sealed record SyncSessionRequest : ControlMessage
{
    public static SyncSessionRequest Instance { get; } = new();
}

/// <summary>Where the running device node stands (the <c>status</c> CLI). Answered with <see cref="DeviceStatusReply"/>.</summary>
public sealed record DeviceStatusRequest : ControlMessage
{
    public static DeviceStatusRequest Instance { get; } = new();
}

/// <summary>
/// The device node's status: its cycle (phase, window number, recent windows), both logs and the
/// state digest, the last sync session, the open commands, the properties, the node's non-zero
/// refusal counters (empty from a node that predates them), the journal's last fault while it has not
/// written since (null when healthy), and which mirror address (HOST:PORT) answered the last answered
/// heartbeat, and when (null before any answer, and from a node that predates them).
/// </summary>
public sealed record DeviceStatusReply(
    string Device,
    NetworkTogglerMessages.CycleStatus Cycle,
    SyncView View,
    long? LastSyncEndedUnixMs,
    int OpenCommands,
    ImmutableArray<NamedValue> Properties) : ControlMessage
{
    public ImmutableArray<Control.RefusalCount> Refusals { get; init; } = [];

    public string? JournalFault { get; init; }

    public string? LastMirror { get; init; }

    public long? LastMirrorAnsweredUnixMs { get; init; }
}
