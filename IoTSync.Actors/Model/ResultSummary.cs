using IoTSync.Logs;

namespace IoTSync.Model;

/// <summary>The essentials of a result, kept only while it waits for its command (out-of-order delivery).</summary>
public sealed record ResultSummary(CommandRef Command, CommandOutcome Outcome, int ExitCode, WriteStamp Stamp);
