using System.Buffers.Binary;
using System.Text;
using IoTSync.Model;

namespace IoTSync.Journal;

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

/// <summary>Append-only writer for canonical encodings.</summary>
public sealed class CanonicalWriter
{
    private readonly MemoryStream _buffer = new();

    public void Tag(string asciiTag) => String(asciiTag);

    public void Byte(byte value) => _buffer.WriteByte(value);

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void Int32(int value)
    {
        Span<byte> span = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(span, value);
        _buffer.Write(span);
    }

    public void Int64(long value)
    {
        Span<byte> span = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(span, value);
        _buffer.Write(span);
    }

    public void OptionalInt64(long? value)
    {
        Bool(value.HasValue);
        if (value is { } present)
            Int64(present);
    }

    public void String(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Int32(bytes.Length);
        _buffer.Write(bytes);
    }

    public void OptionalString(string? value)
    {
        Bool(value is not null);
        if (value is not null)
            String(value);
    }

    public void Hlc(HlcTimestamp timestamp)
    {
        Int64(timestamp.WallMs);
        Int32(timestamp.Counter);
    }

    public void CommandRef(CommandRef reference)
    {
        Byte((byte)reference.Origin);
        Int64(reference.Sequence);
    }

    public void Hash(Sha256Hash hash) => _buffer.Write(hash.Bytes);

    public byte[] ToArray() => _buffer.ToArray();
}
