using System.Collections.Immutable;

namespace IoTSync.Logs;

/// <summary>
/// One entry of a hash-chained log. <see cref="Hash"/> is SHA-256 over
/// <see cref="CanonicalEncoding.EncodeEntry"/>, which covers every other field including
/// <see cref="PreviousHash"/>. Build entries with <see cref="LogEntry.Create"/> so the hash is right.
/// </summary>
public sealed record LogEntry(
    long Sequence,
    Origin Origin,
    EntryKind Kind,
    HlcTimestamp Timestamp,
    string Issuer,
    ImmutableArray<string> Argv,
    long? NotAfterUnixMs,
    CommandRef? Target,
    ResultFields? Result,
    Sha256Hash PreviousHash,
    Sha256Hash Hash)
{
    public CommandRef Ref => new(Origin, Sequence);

    /// <summary>Makes the entry that follows <paramref name="head"/> and computes its hash.</summary>
    public static LogEntry Create(
        LogPosition head,
        Origin origin,
        EntryKind kind,
        HlcTimestamp timestamp,
        string issuer,
        ImmutableArray<string> argv = default,
        long? notAfterUnixMs = null,
        CommandRef? target = null,
        ResultFields? result = null)
    {
        var unhashed = new LogEntry(
            head.Length + 1, origin, kind, timestamp, issuer,
            argv.IsDefault ? ImmutableArray<string>.Empty : argv,
            notAfterUnixMs, target, result, head.Head, Sha256Hash.Zero);
        return unhashed with { Hash = unhashed.ComputeHash() };
    }

    public static LogEntry NewCommand(LogPosition head, Origin origin, HlcTimestamp timestamp, string issuer,
        IEnumerable<string> argv, long? notAfterUnixMs = null) =>
        Create(head, origin, EntryKind.Command, timestamp, issuer, [.. argv], notAfterUnixMs);

    public static LogEntry NewResult(LogPosition head, HlcTimestamp timestamp, string issuer, CommandRef command,
        ResultFields result) =>
        Create(head, Origin.Device, EntryKind.Result, timestamp, issuer, target: command, result: result);

    public static LogEntry NewCancel(LogPosition head, HlcTimestamp timestamp, string issuer, long mirrorCommandSequence) =>
        Create(head, Origin.Mirror, EntryKind.Cancel, timestamp, issuer,
            target: new CommandRef(Origin.Mirror, mirrorCommandSequence));

    /// <summary>SHA-256 over the canonical encoding of every field but the hash itself.</summary>
    public Sha256Hash ComputeHash() => Sha256Hash.Of(CanonicalEncoding.EncodeEntry(this));

    public bool HasValidHash => ComputeHash() == Hash;

    /// <summary>
    /// Equal when every field is: the same stored hash and the same canonical encoding. (The
    /// generated equality would compare <see cref="Argv"/> by reference.)
    /// </summary>
    public bool Equals(LogEntry? other) =>
        other is not null && Hash == other.Hash && CanonicalEncoding.EncodeEntry(this).AsSpan().SequenceEqual(CanonicalEncoding.EncodeEntry(other));

    public override int GetHashCode() => Hash.GetHashCode();

    /// <summary>The entry's shape is one the model and the peers understand.</summary>
    public string? ShapeError()
    {
        if (Sequence < 1) return "sequence must be 1 or more";
        if (Issuer.Length == 0) return "issuer is empty";
        return Kind switch
        {
            EntryKind.Command when Argv.IsDefaultOrEmpty => "command without argv",
            EntryKind.Command when Target is not null || Result is not null => "command with result fields",
            EntryKind.Result when Origin != Origin.Device => "only the device writes results",
            EntryKind.Result when Target is null || Result is null => "result without target or fields",
            EntryKind.Cancel when Origin != Origin.Mirror => "only the mirror writes cancellations",
            EntryKind.Cancel when Target is not { Origin: Origin.Mirror } => "cancel must target a mirror command",
            EntryKind.Command or EntryKind.Result or EntryKind.Cancel => null,
            _ => $"unknown kind {(byte)Kind}",
        };
    }
}
