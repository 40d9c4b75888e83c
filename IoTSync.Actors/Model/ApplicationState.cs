using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Model;

/// <summary>
/// The application model both sides run over the union of the two logs. Bounded by design:
/// properties (with tombstones), commands still open, and counters; resolved outcomes stay in
/// the logs. <see cref="Apply"/> is pure and commutes across the two logs, so any interleaving
/// of the same entries (each log in its own order) gives the same state and digest.
/// </summary>
public sealed record ApplicationState(
    ImmutableSortedDictionary<string, PropertyValue> Properties,
    ImmutableSortedDictionary<CommandRef, OpenCommand> OpenCommands,
    ImmutableSortedDictionary<CommandRef, ResultSummary> EarlyResults,
    OutcomeCounters Counters,
    ResultSummary? LatestResult)
{
    public static ApplicationState Empty { get; } = new(
        ImmutableSortedDictionary.Create<string, PropertyValue>(StringComparer.Ordinal),
        ImmutableSortedDictionary<CommandRef, OpenCommand>.Empty,
        ImmutableSortedDictionary<CommandRef, ResultSummary>.Empty,
        OutcomeCounters.None,
        null);

    /// <summary>The live properties (tombstones left out).</summary>
    public IEnumerable<KeyValuePair<string, string>> LiveProperties =>
        Properties.Where(p => p.Value.Value is not null).Select(p => KeyValuePair.Create(p.Key, p.Value.Value!));

    public string? Get(string key) => Properties.TryGetValue(key, out var value) ? value.Value : null;

    public ApplicationState Apply(LogEntry entry) => entry.Kind switch
    {
        EntryKind.Command when PropertyCommand.IsPropertyOperation(entry.Argv) => ApplyProperty(entry),
        EntryKind.Command => ApplyDeviceCommand(entry),
        EntryKind.Result => ApplyResult(entry),
        EntryKind.Cancel => ApplyCancel(entry),
        _ => this,
    };

    public ApplicationState ApplyAll(IEnumerable<LogEntry> entries) => entries.Aggregate(this, (state, entry) => state.Apply(entry));

    private ApplicationState ApplyProperty(LogEntry entry)
    {
        var key = entry.Argv[1];
        var stamp = WriteStamp.Of(entry);
        if (Properties.TryGetValue(key, out var current) && current.Stamp.CompareTo(stamp) >= 0)
            return this;
        var value = entry.Argv[0] == PropertyCommand.Set ? entry.Argv[2] : null;
        return this with { Properties = Properties.SetItem(key, new PropertyValue(value, stamp)) };
    }

    private ApplicationState ApplyDeviceCommand(LogEntry entry)
    {
        if (EarlyResults.ContainsKey(entry.Ref))
            return this with { EarlyResults = EarlyResults.Remove(entry.Ref) };
        if (OpenCommands.ContainsKey(entry.Ref))
            return this;
        var open = new OpenCommand(entry.Ref, entry.Argv, entry.NotAfterUnixMs, entry.Timestamp, CancelRequested: false);
        return this with { OpenCommands = OpenCommands.Add(entry.Ref, open) };
    }

    private ApplicationState ApplyResult(LogEntry entry)
    {
        var target = entry.Target!.Value;
        var fields = entry.Result!;
        var summary = new ResultSummary(target, fields.Outcome, fields.ExitCode, WriteStamp.Of(entry));
        var latest = LatestResult is null || LatestResult.Stamp.CompareTo(summary.Stamp) < 0 ? summary : LatestResult;
        var counted = this with { Counters = Counters.Count(fields.Outcome), LatestResult = latest };
        // A result may reach a side before its command does; it waits so the order does not matter.
        return OpenCommands.ContainsKey(target)
            ? counted with { OpenCommands = OpenCommands.Remove(target) }
            : counted with { EarlyResults = EarlyResults.SetItem(target, summary) };
    }

    private ApplicationState ApplyCancel(LogEntry entry)
    {
        var target = entry.Target!.Value;
        return OpenCommands.TryGetValue(target, out var open) && !open.CancelRequested
            ? this with { OpenCommands = OpenCommands.SetItem(target, open with { CancelRequested = true }) }
            : this;
    }

    /// <summary>SHA-256 over the canonical encoding of the whole state.</summary>
    public Sha256Hash Digest()
    {
        var writer = new CanonicalWriter();
        writer.Tag("IOTSYNC/STATE/1");
        writer.Int32(Properties.Count);
        foreach (var (key, property) in Properties)
        {
            writer.String(key);
            writer.OptionalString(property.Value);
            WriteStampTo(writer, property.Stamp);
        }
        writer.Int32(OpenCommands.Count);
        foreach (var open in OpenCommands.Values)
        {
            writer.CommandRef(open.Ref);
            writer.Int32(open.Argv.Length);
            foreach (var arg in open.Argv)
                writer.String(arg);
            writer.OptionalInt64(open.NotAfterUnixMs);
            writer.Hlc(open.IssuedAt);
            writer.Bool(open.CancelRequested);
        }
        writer.Int32(EarlyResults.Count);
        foreach (var early in EarlyResults.Values)
            WriteSummary(writer, early);
        writer.Int64(Counters.Executed);
        writer.Int64(Counters.Failed);
        writer.Int64(Counters.Refused);
        writer.Int64(Counters.Expired);
        writer.Int64(Counters.Cancelled);
        writer.Bool(LatestResult is not null);
        if (LatestResult is not null)
            WriteSummary(writer, LatestResult);
        return Sha256Hash.Of(writer.ToArray());
    }

    private static void WriteSummary(CanonicalWriter writer, ResultSummary summary)
    {
        writer.CommandRef(summary.Command);
        writer.Byte((byte)summary.Outcome);
        writer.Int32(summary.ExitCode);
        WriteStampTo(writer, summary.Stamp);
    }

    private static void WriteStampTo(CanonicalWriter writer, WriteStamp stamp)
    {
        writer.Hlc(stamp.Time);
        writer.Byte((byte)stamp.Origin);
        writer.Int64(stamp.Sequence);
    }
}
