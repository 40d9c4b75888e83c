using IoTSync.Serialization;

namespace IoTSync.Control;

/// <summary>
/// What travels on a node's control socket: the first frame a local client sends, and the
/// answers. Only these are decoded there.
/// </summary>
public abstract record ControlMessage : IIoTSyncMessage;

/// <summary>The request was not carried out, and why.</summary>
public sealed record ControlError(string Message) : ControlMessage;
