namespace IoTSync.Logs;

/// <summary>The fields of a result entry.</summary>
public sealed record ResultFields(CommandOutcome Outcome, int ExitCode, string Output, bool Truncated, long DurationMs);
