namespace IoTSync.Inspection;

/// <summary>Everything <c>journal verify</c> found. Holds when there is no finding.</summary>
public sealed record VerificationResult(IReadOnlyList<VerifiedCopy> Copies, IReadOnlyList<SourcedFinding> Findings, string? Comparison)
{
    public bool Holds => Findings.Count == 0;
}
