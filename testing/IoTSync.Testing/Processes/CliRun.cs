namespace IoTSync.Testing.Processes;

/// <summary>What a command run to its end printed, and how it exited.</summary>
public sealed record CliRun(IReadOnlyList<string> Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Stdout's non-empty lines, trimmed.</summary>
    public string[] Lines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>
    /// This run, or an exception naming <paramref name="what"/> (the command by default), its exit
    /// code and its stderr (its stdout when stderr is empty).
    /// </summary>
    public CliRun EnsureSuccess(string? what = null) => Succeeded
        ? this
        : throw new InvalidOperationException($"{what ?? $"'{string.Join(' ', Command)}'"} exited {ExitCode}: {Stderr.Trim()}{(Stderr.Trim().Length == 0 ? Stdout.Trim() : "")}");

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}--- stderr\n{Stderr}";
}
