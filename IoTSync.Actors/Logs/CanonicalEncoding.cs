using IoTSync.Model;

namespace IoTSync.Logs;

/// <summary>
/// The byte encodings that hashes are computed over. Fixed field order, big-endian integers,
/// length-prefixed UTF-8 strings, explicit presence flags: nothing depends on a serializer's
/// settings or on the current culture. Changing anything here changes every hash: add a new
/// version tag instead.
/// </summary>
public static class CanonicalEncoding
{
    private const string EntryTag = "IOTSYNC/ENTRY/1";
    private const string GenesisTag = "IOTSYNC/GENESIS/1";

    public static Sha256Hash GenesisHash(DeviceId device, Origin origin)
    {
        var writer = new CanonicalWriter();
        writer.Tag(GenesisTag);
        writer.String(device.Value);
        writer.Byte((byte)origin);
        return Sha256Hash.Of(writer.ToArray());
    }

    public static byte[] EncodeEntry(LogEntry entry)
    {
        var writer = new CanonicalWriter();
        writer.Tag(EntryTag);
        writer.Int64(entry.Sequence);
        writer.Byte((byte)entry.Origin);
        writer.Byte((byte)entry.Kind);
        writer.Hlc(entry.Timestamp);
        writer.String(entry.Issuer);
        writer.Int32(entry.Argv.IsDefault ? 0 : entry.Argv.Length);
        if (!entry.Argv.IsDefault)
            foreach (var arg in entry.Argv)
                writer.String(arg);
        writer.OptionalInt64(entry.NotAfterUnixMs);
        writer.Bool(entry.Target is not null);
        if (entry.Target is { } target)
            writer.CommandRef(target);
        writer.Bool(entry.Result is not null);
        if (entry.Result is { } result)
        {
            writer.Byte((byte)result.Outcome);
            writer.Int32(result.ExitCode);
            writer.String(result.Output);
            writer.Bool(result.Truncated);
            writer.Int64(result.DurationMs);
        }
        writer.Hash(entry.PreviousHash);
        return writer.ToArray();
    }
}
