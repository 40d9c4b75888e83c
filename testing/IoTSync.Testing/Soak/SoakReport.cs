using System.Collections.Immutable;
using System.Globalization;

namespace IoTSync.Testing.Soak;

/// <summary>
/// What a soak run did and found: the requests each side was given and what became of them, the
/// results and ledger lines, what the nemesis did how often, and every check that failed (none when
/// it passed). <see cref="Seed"/> reproduces the run's schedule of faults.
/// </summary>
public sealed record SoakReport
{
    public required int Seed { get; init; }

    public required double Minutes { get; init; }

    /// <summary>Requests answered "recorded", or unanswered but found in their log, per side and kind.</summary>
    public required ImmutableSortedDictionary<string, int> Issued { get; init; }

    /// <summary>Requests refused because the device's disk was full: not issued, counted apart.</summary>
    public required int RefusedFullDisk { get; init; }

    /// <summary>Requests refused otherwise (the node was down or restarting): not issued.</summary>
    public required int RefusedOtherwise { get; init; }

    /// <summary>Why requests were refused or unanswered, counted.</summary>
    public required ImmutableSortedDictionary<string, int> Reasons { get; init; }

    /// <summary>Requests that got no answer (a node killed or frozen mid-request) and were found recorded after all.</summary>
    public required int UnansweredRecorded { get; init; }

    /// <summary>Requests that got no answer and were not recorded.</summary>
    public required int UnansweredNotRecorded { get; init; }

    /// <summary>Result entries for the soak's commands in the device log.</summary>
    public required int Results { get; init; }

    /// <summary>The results' outcomes, counted.</summary>
    public required ImmutableSortedDictionary<string, int> Outcomes { get; init; }

    /// <summary>Lines in the ledger (one per command that really ran).</summary>
    public required int LedgerLines { get; init; }

    /// <summary>How often the nemesis did each thing.</summary>
    public required ImmutableSortedDictionary<string, int> Nemesis { get; init; }

    /// <summary>Session cuts that met no session before their deadline.</summary>
    public required int CutsMissed { get; init; }

    /// <summary>Seconds from the end of the faults until both sides agreed, or null when they never did.</summary>
    public required double? SettledSeconds { get; init; }

    /// <summary>The converged view (device and mirror logs, digest) as the mirror holds it.</summary>
    public required string View { get; init; }

    public required ImmutableArray<string> Failures { get; init; }

    /// <summary>The nemesis's faults with their second in the run.</summary>
    public required ImmutableArray<string> Schedule { get; init; }

    /// <summary>Where the run's files were kept (a failing run keeps them), or null.</summary>
    public string? KeptIn { get; init; }

    public bool Passed => Failures.IsEmpty;

    /// <summary>The report as printed.</summary>
    public IEnumerable<string> Lines()
    {
        static string Counts(IEnumerable<KeyValuePair<string, int>> counts) => string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));
        yield return $"soak seed {Seed}: {Minutes.ToString("0.0", CultureInfo.InvariantCulture)} min of faults";
        yield return $"  issued: {Counts(Issued)} (total {Issued.Values.Sum()})";
        yield return $"  not issued: {RefusedFullDisk} refused by the full disk, {RefusedOtherwise} refused otherwise (node down), {UnansweredNotRecorded} unanswered and not recorded";
        yield return $"  unanswered but recorded (counted as issued): {UnansweredRecorded}";
        foreach (var (reason, count) in Reasons)
            yield return $"    {count} × {reason}";
        yield return $"  results: {Results} ({Counts(Outcomes)}); ledger lines: {LedgerLines}";
        yield return $"  nemesis: {Counts(Nemesis)}; session cuts that met no session: {CutsMissed}";
        yield return SettledSeconds is { } settled
            ? $"  converged {settled.ToString("0.0", CultureInfo.InvariantCulture)} s after the faults stopped: {View}"
            : $"  NOT converged: {View}";
        if (Passed)
        {
            yield return "  every issued command recorded once in its log with one result, every ledger token once, nothing pending, digests equal, verify --against holds both ways, no operator action: PASSED";
            yield break;
        }
        foreach (var failure in Failures)
            yield return $"  FAILED: {failure}";
        yield return $"  reproduce with: ./iotsync soak --seed {Seed}" + (KeptIn is null ? "" : $" (files kept in {KeptIn})");
    }
}
