using System.Buffers.Text;
using System.Security.Cryptography;
using IoTSync.Logs;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The text of an API token: <c>iotsync_</c> and 32 random bytes in base64url without padding (43
/// characters), so that a leaked one is recognisable to secret scanners and by eye; and the SHA-256
/// the store keeps in its place. Generating is the only impure part; hashing and checking are pure.
/// </summary>
public static class BearerTokens
{
    /// <summary>What every token starts with.</summary>
    public const string Prefix = "iotsync_";

    /// <summary>Random bytes in a token.</summary>
    public const int SecretBytes = 32;

    /// <summary>A token's length in characters: the prefix and 43 base64url characters.</summary>
    public static int Length { get; } = Prefix.Length + Base64Url.GetEncodedLength(SecretBytes);

    /// <summary>A new token from the system's cryptographic random number generator.</summary>
    public static string New() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>
    /// True for the shape of a token: the prefix, then exactly 43 base64url characters. Cheap, so that
    /// anything else is refused before it is hashed.
    /// </summary>
    public static bool IsWellFormed(string? text)
    {
        if (text is null || text.Length != Length || !text.StartsWith(Prefix, StringComparison.Ordinal))
            return false;
        foreach (var c in text.AsSpan(Prefix.Length))
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '-' or '_'))
                return false;
        return true;
    }

    /// <summary>
    /// The SHA-256 of the token's whole text (ASCII): what the store keeps and the cache looks up. The
    /// text, not its decoded bytes, is hashed: base64 has more than one spelling of the same bytes in its
    /// last character, and only the spelling that was printed should be honoured.
    /// </summary>
    public static Sha256Hash HashOf(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Span<byte> digest = stackalloc byte[Sha256Hash.Length];
        HashInto(text, digest);
        return Sha256Hash.FromBytes(digest);
    }

    /// <summary>The SHA-256 of the ASCII of <paramref name="text"/> into <paramref name="digest"/>, allocating nothing for a token-sized text.</summary>
    internal static void HashInto(ReadOnlySpan<char> text, Span<byte> digest)
    {
        var byteCount = System.Text.Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = byteCount <= 256 ? stackalloc byte[byteCount] : new byte[byteCount];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        SHA256.HashData(bytes, digest);
    }
}
