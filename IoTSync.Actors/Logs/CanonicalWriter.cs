using System.Buffers.Binary;
using System.Text;

namespace IoTSync.Logs;

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
