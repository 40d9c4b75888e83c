using System.Collections.Immutable;
using System.Text;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Tests.Sync;

/// <summary>LogEntry's record equality compares its Argv array by reference; entries are compared by hash, which covers every field.</summary>
internal static class EntryComparison
{
    public static IReadOnlyList<Sha256Hash> Hashes(this IEnumerable<LogEntry> entries) => [.. entries.Select(e => e.Hash)];
}

/// <summary>Ways to spoil entries and messages in transit, for rejection tests.</summary>
internal static class Tamper
{
    public static LogEntry Rehash(LogEntry entry) => entry with { Hash = entry.ComputeHash() };

    /// <summary>Rebuilds a consistent chain of the same entries after <paramref name="start"/>.</summary>
    public static ImmutableArray<LogEntry> Relink(IEnumerable<LogEntry> entries, LogPosition start)
    {
        var builder = ImmutableArray.CreateBuilder<LogEntry>();
        var position = start;
        foreach (var entry in entries)
        {
            var linked = Rehash(entry with { Sequence = position.Length + 1, PreviousHash = position.Head });
            builder.Add(linked);
            position = position.After(linked);
        }
        return builder.ToImmutable();
    }

    public static Func<ExchangeMessage, ExchangeMessage> Pushes(Func<ImmutableArray<LogEntry>, ImmutableArray<LogEntry>> change) =>
        message => message is PushEntries push ? new PushEntries(change(push.Entries)) : message;

    public static Func<ExchangeMessage, ExchangeMessage> Pulls(Func<ImmutableArray<LogEntry>, ImmutableArray<LogEntry>> change) =>
        message => message is PulledEntries pulled ? new PulledEntries(change(pulled.Entries)) : message;

    /// <summary>A batch spoiled so that its receiver must give this verdict at this sequence.</summary>
    public static (Func<ImmutableArray<LogEntry>, ImmutableArray<LogEntry>> Change, Verdict Verdict, long Sequence) Batch(string how, DeviceId device) => how switch
    {
        "drop-first" => (batch => batch.RemoveAt(0), Verdict.Gap, 1),
        "skip-one" => (batch => batch.RemoveAt(1), Verdict.Gap, 2),
        "change-content" => (batch => batch.SetItem(1, batch[1] with { Issuer = "mallory" }), Verdict.BadHash, 2),
        "change-link" => (batch => batch.SetItem(1, Rehash(batch[1] with { PreviousHash = Sha256Hash.Of("elsewhere"u8) })), Verdict.BadLink, 2),
        "other-device" => (batch => Relink(batch, LogPosition.Empty(new DeviceId("other-device"), batch[0].Origin)), Verdict.BadHash, 1),
        "other-log" => (batch => Relink(batch, LogPosition.Empty(device, Other(batch[0].Origin))), Verdict.BadHash, 1),
        "wrong-origin" => (batch => Relink([batch[0], batch[1] with { Origin = Other(batch[1].Origin) }, .. batch.Skip(2)], Start(batch)), Verdict.Malformed, 2),
        "no-argv" => (batch => Relink([batch[0], batch[1] with { Argv = [] }, .. batch.Skip(2)], Start(batch)), Verdict.Malformed, 2),
        _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
    };

    public static LogPosition Start(IReadOnlyList<LogEntry> batch) => new(batch[0].Sequence - 1, batch[0].PreviousHash);

    public static Origin Other(Origin origin) => origin == Origin.Device ? Origin.Mirror : Origin.Device;

    public static Sha256Hash HashOf(string text) => Sha256Hash.Of(Encoding.UTF8.GetBytes(text));
}
