namespace IoTSync.Mirror.Ssh;

/// <summary>How the remote command ended when the session closed.</summary>
/// <param name="ExitStatus">Its exit status, when the server reported one.</param>
/// <param name="ExitSignal">The signal that ended it, when the server reported one.</param>
/// <param name="ErrorOutput">The start of what it wrote on stderr (capped).</param>
/// <param name="EndedInTime">It ended on its own after the end of its input, within the close timeout.</param>
public sealed record SshSessionEnd(int? ExitStatus, string? ExitSignal, string ErrorOutput, bool EndedInTime);
