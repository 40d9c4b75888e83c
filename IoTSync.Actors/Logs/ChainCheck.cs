namespace IoTSync.Logs;

/// <summary>
/// The outcome of checking a batch or a claim against a replica. <see cref="Sequence"/> names the
/// first entry at fault (0 when none); <see cref="NewEntries"/> is what to apply when appendable.
/// </summary>
public sealed record ChainCheck(Verdict Verdict, long Sequence, string Detail, IReadOnlyList<LogEntry> NewEntries)
{
    public bool IsRejection => Verdict is not (Verdict.Appendable or Verdict.AlreadyHeld);

    public static ChainCheck Append(IReadOnlyList<LogEntry> entries) => new(Verdict.Appendable, 0, "", entries);
    public static ChainCheck Held() => new(Verdict.AlreadyHeld, 0, "", []);
    public static ChainCheck Reject(Verdict verdict, long sequence, string detail) => new(verdict, sequence, detail, []);

    public override string ToString() => IsRejection ? $"{Verdict} at {Sequence}: {Detail}" : Verdict.ToString();
}
