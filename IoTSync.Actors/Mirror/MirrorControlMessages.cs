using System.Collections.Immutable;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;

namespace IoTSync.Mirror;

/// <summary>
/// Enrol a device (<c>enroll</c>). <see cref="FromAddress"/> and <see cref="DeviceCommand"/>
/// override the mirror's configured address and sync-endpoint command in the authorized_keys line.
/// Answered with <see cref="EnrollReply"/>.
/// </summary>
public sealed record EnrollRequest(EnrolledDevice Device, string? FromAddress, string? DeviceCommand) : ControlMessage;

/// <summary>The device as enrolled, and the exact line for its authorized_keys.</summary>
public sealed record EnrollReply(DeviceListing Device, string AuthorizedKeysLine) : ControlMessage;

/// <summary>
/// Leave a command for a device (<c>exec</c>); <see cref="ExpiresInMs"/> null takes the configured
/// default. Answered with <see cref="SubmitReply"/>.
/// </summary>
public sealed record SubmitRequest(string Device, ImmutableArray<string> Argv, string Issuer, long? ExpiresInMs) : ControlMessage;

/// <summary>Ask the device not to run mirror command <see cref="Sequence"/> (<c>cancel</c>). Answered with <see cref="SubmitReply"/>.</summary>
public sealed record CancelRequest(string Device, long Sequence, string Issuer) : ControlMessage;

/// <summary>The mirror-log entry now durable.</summary>
public sealed record SubmitReply(LogEntry Entry) : ControlMessage;

/// <summary>Where mirror command <see cref="Sequence"/> stands. Answered with <see cref="CommandStatusAnswer"/>.</summary>
public sealed record CommandStatusRequest(string Device, long Sequence) : ControlMessage;

/// <summary>The status, the command entry and the device's result entry once resolved.</summary>
public sealed record CommandStatusAnswer(long Sequence, CommandStatus Status, LogEntry? Command, LogEntry? Result) : ControlMessage;

/// <summary>The fleet (<c>devices</c>). Answered with <see cref="FleetReply"/>.</summary>
public sealed record FleetRequest : ControlMessage
{
    public static FleetRequest Instance { get; } = new();
}

/// <summary>Every enrolled device, in id order, and the node's non-zero refusal counters (empty from a node that predates them).</summary>
public sealed record FleetReply(ImmutableArray<DeviceSummary> Devices) : ControlMessage
{
    public ImmutableArray<RefusalCount> Refusals { get; init; } = [];
}

/// <summary>The node's refusal counters (<c>refusals</c>). Answered with <see cref="RefusalsReply"/>.</summary>
public sealed record RefusalsRequest : ControlMessage
{
    public static RefusalsRequest Instance { get; } = new();
}

/// <summary>The node's non-zero refusal counters, in name order.</summary>
public sealed record RefusalsReply(ImmutableArray<RefusalCount> Refusals) : ControlMessage;

/// <summary>One device's state as the mirror holds it (<c>state</c>). Answered with <see cref="DeviceStateReply"/>.</summary>
public sealed record DeviceStateRequest(string Device) : ControlMessage;

/// <summary>The device's logs as the mirror holds them, how far its commands are delivered, a divergence if any, the properties and the open commands.</summary>
public sealed record DeviceStateReply(string Device, SyncView View, long DeliveredThrough, string? Divergence,
    ImmutableArray<NamedValue> Properties, ImmutableArray<string> OpenCommands) : ControlMessage
{
    /// <summary>Why the device's journal at the mirror is corrupt (the entry named), or null.</summary>
    public string? Corruption { get; init; }

    /// <summary>Why the last agreeing exchange found the state digests differing, or null.</summary>
    public string? Mismatch { get; init; }
}

/// <summary>A device's recent windows as the mirror recorded them (<c>windows</c>). Answered with <see cref="WindowsReply"/>.</summary>
public sealed record WindowsRequest(string Device, int Last) : ControlMessage;

/// <summary>How many windows the mirror has seen of the device, and the newest ones, oldest first.</summary>
public sealed record WindowsReply(string Device, long TotalWindows, long CyclePeriodMs, ImmutableArray<WindowRecord> Windows) : ControlMessage;

/// <summary>
/// Disable a device (<c>device disable</c>), or enable it again (<c>device enable</c>, <see cref="Disable"/> false).
/// Answered with <see cref="DisableReply"/>.
/// </summary>
public sealed record DisableRequest(string Device, bool Disable) : ControlMessage;

/// <summary>Whether the device is now disabled.</summary>
public sealed record DisableReply(string Device, bool Disabled) : ControlMessage;

/// <summary>
/// Rotate a device's credentials (<c>device rotate</c>): the new heartbeat key (hex; made by the CLI,
/// which writes it to the operator's file, so no reply ever carries it) and a new mirror SSH key for it;
/// with <see cref="Certificate"/> (<c>--csr</c>: the CLI signed the device's new request with the fleet CA)
/// the new certificate to pin. <see cref="FromAddress"/> and <see cref="DeviceCommand"/> as in
/// <see cref="EnrollRequest"/>. Answered with <see cref="RotateReply"/>.
/// </summary>
public sealed record RotateRequest(string Device, string HeartbeatKey, string? FromAddress, string? DeviceCommand, CertificatePin? Certificate = null) : ControlMessage;

/// <summary>
/// The authorized_keys line for the mirror's new SSH key, when the previous credentials stop being
/// honoured, and what became of the TLS certificate (pinned, or not rotated). No heartbeat key.
/// </summary>
public sealed record RotateReply(string Device, string AuthorizedKeysLine, long PreviousRefusedFromUnixMs, string Certificate) : ControlMessage;
