using System.Security.Cryptography;

namespace IoTSync.Logs;

/// <summary>A SHA-256 value. Compared by content; printed as lower-case hex.</summary>
public readonly struct Sha256Hash : IEquatable<Sha256Hash>
{
    public const int Length = 32;
    private readonly byte[]? _bytes;

    private Sha256Hash(byte[] bytes) => _bytes = bytes;

    public static Sha256Hash Zero { get; } = new(new byte[Length]);

    public ReadOnlySpan<byte> Bytes => _bytes ?? Zero._bytes!;

    public static Sha256Hash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
            throw new ArgumentException($"A SHA-256 hash has {Length} bytes, not {bytes.Length}.", nameof(bytes));
        return new Sha256Hash(bytes.ToArray());
    }

    public static Sha256Hash Of(ReadOnlySpan<byte> data) => new(SHA256.HashData(data));

    public static Sha256Hash Parse(string hex)
    {
        if (!TryParse(hex, out var hash))
            throw new FormatException($"'{hex}' is not a 64-digit hex SHA-256 value.");
        return hash;
    }

    public static bool TryParse(string? hex, out Sha256Hash hash)
    {
        hash = default;
        if (hex is null || hex.Length != Length * 2)
            return false;
        try
        {
            hash = new Sha256Hash(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    public string ToHex() => Convert.ToHexStringLower(Bytes);

    /// <summary>The first 12 hex digits, for tables and log lines.</summary>
    public string Short => ToHex()[..12];

    public bool Equals(Sha256Hash other) => Bytes.SequenceEqual(other.Bytes);
    public override bool Equals(object? obj) => obj is Sha256Hash other && Equals(other);
    public override int GetHashCode() => BitConverter.ToInt32(Bytes[..4]);
    public static bool operator ==(Sha256Hash left, Sha256Hash right) => left.Equals(right);
    public static bool operator !=(Sha256Hash left, Sha256Hash right) => !left.Equals(right);
    public override string ToString() => ToHex();
}
