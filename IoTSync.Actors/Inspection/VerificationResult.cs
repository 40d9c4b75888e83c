namespace IoTSync.Inspection;

/// <summary>
/// Everything <c>journal verify</c> found. Holds when there is no finding. <see cref="Others"/>:
/// one line for each other journal checked beside the logs (a mirror's window histories, device registry and API tokens).
/// </summary>
public sealed record VerificationResult(IReadOnlyList<VerifiedCopy> Copies, IReadOnlyList<SourcedFinding> Findings, string? Comparison,
    IReadOnlyList<string>? Others = null)
{
    public bool Holds => Findings.Count == 0;
}
