using System.Collections.Immutable;
using System.Text.Json;

namespace IoTSync.Testing.Soak;

/// <summary>
/// Holds one node's journal (as <c>journal show --json</c> prints it) and the ledger to the driver's
/// requests: each issued request recorded exactly once and in its side's log, nothing refused recorded,
/// nothing recorded that no request asked for; each command one result; each ledger token at most
/// once and exactly when its result says it ran ("executed"); no ledger token without its command.
/// </summary>
public sealed class SoakLedgerCheck
{
    private readonly List<string> _failures = [];
    private readonly Dictionary<string, int> _outcomes = [];

    private SoakLedgerCheck(string journalName) => JournalName = journalName;

    public string JournalName { get; }

    public IReadOnlyList<string> Failures => _failures;

    public ImmutableSortedDictionary<string, int> Outcomes => _outcomes.ToImmutableSortedDictionary();

    public ImmutableSortedDictionary<string, int> Issued { get; private set; } = ImmutableSortedDictionary<string, int>.Empty;

    public int UnansweredRecorded { get; private set; }

    public int UnansweredNotRecorded { get; private set; }

    public int Results { get; private set; }

    public static SoakLedgerCheck Run(string journalName, IReadOnlyList<JsonElement> journal, IReadOnlyList<SoakRequest> requests, IReadOnlyList<string> ledger)
    {
        var check = new SoakLedgerCheck(journalName);
        check.Check(journal, requests, ledger);
        return check;
    }

    private void Fail(string what) => _failures.Add($"{JournalName}: {what}");

    private void Check(IReadOnlyList<JsonElement> journal, IReadOnlyList<SoakRequest> requests, IReadOnlyList<string> ledger)
    {
        var commands = journal.Where(e => Kind(e) == "command")
            .Select(e => (Token: Token(e), Log: e.GetProperty("log").GetString()!, Sequence: e.GetProperty("sequence").GetInt64()))
            .ToList();
        var results = journal.Where(e => Kind(e) == "result" && e.GetProperty("target").ValueKind == JsonValueKind.Object)
            .ToLookup(e => (e.GetProperty("target").GetProperty("log").GetString()!, e.GetProperty("target").GetProperty("sequence").GetInt64()));
        var byToken = commands.ToLookup(c => c.Token);
        var ran = ledger.GroupBy(line => line).ToDictionary(g => g.Key, g => g.Count());
        var known = requests.Select(r => r.Token).ToHashSet();
        var issued = new Dictionary<string, int>();

        foreach (var request in requests)
        {
            var recorded = byToken[request.Token].ToList();
            var side = request.Side == SoakSide.Mirror ? "mirror" : "device";
            foreach (var elsewhere in recorded.Where(c => c.Log != side))
                Fail($"{request.Token} (left at the {side}) recorded in the {elsewhere.Log} log as {elsewhere.Sequence}");
            if (recorded.Count > 1)
                Fail($"{request.Token} recorded {recorded.Count} times: {string.Join(", ", recorded.Select(c => $"{c.Log} {c.Sequence}"))}");
            switch (request.Answer)
            {
                case SoakAnswer.Recorded when recorded.Count == 0:
                    Fail($"{request.Token} was answered as recorded at the {side} but is in no log");
                    break;
                case SoakAnswer.Refused when recorded.Count > 0:
                    Fail($"{request.Token} was refused ({request.Reason}) but recorded as {side} {recorded[0].Sequence}");
                    break;
                case SoakAnswer.Unanswered when recorded.Count > 0:
                    UnansweredRecorded++;
                    break;
                case SoakAnswer.Unanswered:
                    UnansweredNotRecorded++;
                    break;
            }
            if (recorded.Count == 0)
            {
                if (!request.IsProperty && ran.ContainsKey(request.Token))
                    Fail($"{request.Token} ran (ledger) but is in no log");
                continue;
            }
            var kind = $"{side} {(request.IsProperty ? "properties" : "commands")}";
            issued[kind] = issued.GetValueOrDefault(kind) + 1;
            if (request.IsProperty)
                continue;
            var command = recorded[0];
            var itsResults = results[(command.Log, command.Sequence)].ToList();
            Results += itsResults.Count;
            if (itsResults.Count != 1)
            {
                Fail($"{request.Token} ({command.Log} {command.Sequence}) has {itsResults.Count} results");
                if (itsResults.Count == 0)
                    continue;
            }
            var outcome = itsResults[0].GetProperty("result").GetProperty("outcome").GetString()!;
            _outcomes[outcome] = _outcomes.GetValueOrDefault(outcome) + 1;
            var times = ran.GetValueOrDefault(request.Token);
            if (times > 1)
                Fail($"{request.Token} ({command.Log} {command.Sequence}) ran {times} times");
            else if (outcome == "executed" && times == 0)
                Fail($"{request.Token} ({command.Log} {command.Sequence}) is recorded executed but never ran");
            else if (outcome != "executed" && times == 1)
                Fail($"{request.Token} ({command.Log} {command.Sequence}) ran but is recorded {outcome}: {itsResults[0].GetProperty("result").GetProperty("output").GetString()}");
        }
        foreach (var stranger in commands.Where(c => !known.Contains(c.Token)))
            Fail($"{stranger.Log} {stranger.Sequence} was asked for by no request (token '{stranger.Token}')");
        foreach (var line in ran.Keys.Where(t => !known.Contains(t)))
            Fail($"the ledger holds '{line}', which no request issued");
        Issued = issued.ToImmutableSortedDictionary();
    }

    private static string? Kind(JsonElement entry) => entry.TryGetProperty("kind", out var kind) ? kind.GetString() : null;

    /// <summary>The token a soak entry carries: the value of a property set, the word echoed by a command.</summary>
    private static string Token(JsonElement entry)
    {
        var argv = entry.GetProperty("argv").EnumerateArray().Select(a => a.GetString() ?? "").ToList();
        return argv switch
        {
            ["set", _, var value] => value,
            ["sh", "-c", var script] when script.Split(' ') is ["echo", var token, ..] => token,
            _ => string.Join(' ', argv),
        };
    }
}
