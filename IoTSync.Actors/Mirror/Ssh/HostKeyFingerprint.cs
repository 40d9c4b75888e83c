using System.Security.Cryptography;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// A device's SSH host key as enrolled at the mirror: the SHA-256 fingerprint exactly as OpenSSH
/// prints it (<c>ssh-keygen -lf KEY.pub -E sha256</c>), <c>SHA256:</c> then 43 characters of
/// unpadded base64. Compared by the 32 bytes it stands for.
/// </summary>
public sealed class HostKeyFingerprint : IEquatable<HostKeyFingerprint>
{
    private const string Prefix = "SHA256:";
    private const string Hint = "expected SHA256:<43 base64 characters> as printed by 'ssh-keygen -lf KEY.pub -E sha256'";
    private readonly byte[] _digest;

    private HostKeyFingerprint(byte[] digest) => _digest = digest;

    /// <summary>The fingerprint as OpenSSH prints it.</summary>
    public string Value => Prefix + Convert.ToBase64String(_digest).TrimEnd('=');

    /// <summary>The fingerprint of an SSH public key blob (the wire encoding of the key).</summary>
    public static HostKeyFingerprint OfKey(ReadOnlySpan<byte> keyBlob) => new(SHA256.HashData(keyBlob));

    /// <summary>Parses an OpenSSH SHA-256 fingerprint; throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static HostKeyFingerprint Parse(string text) =>
        TryParse(text, out var fingerprint, out var error) ? fingerprint : throw new FormatException(error);

    public static bool TryParse(string? text, out HostKeyFingerprint fingerprint, out string error)
    {
        fingerprint = null!;
        var trimmed = text?.Trim() ?? "";
        error = Check(trimmed);
        if (error.Length > 0)
            return false;
        var body = trimmed[Prefix.Length..];
        var digest = new byte[SHA256.HashSizeInBytes];
        // OpenSSH leaves the padding off; restore it so the standard decoder takes the text.
        if (!Convert.TryFromBase64String(body.PadRight(44, '='), digest, out var written) || written != digest.Length)
        {
            error = $"host key fingerprint '{trimmed}' is not valid base64 of a SHA-256 value; {Hint}";
            return false;
        }
        fingerprint = new HostKeyFingerprint(digest);
        // The last character carries two spare bits; only the form OpenSSH prints is accepted.
        if (fingerprint.Value != Prefix + body.TrimEnd('='))
        {
            error = $"host key fingerprint '{trimmed}' is not in canonical base64 (did you mean {fingerprint.Value}?); {Hint}";
            fingerprint = null!;
            return false;
        }
        return true;
    }

    private static string Check(string text)
    {
        if (text.Length == 0)
            return $"host key fingerprint is empty; {Hint}";
        if (text.StartsWith("MD5:", StringComparison.OrdinalIgnoreCase) || (text.Length == 47 && text.Count(c => c == ':') == 15))
            return $"host key fingerprint '{text}' is an MD5 fingerprint; {Hint}";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
            return $"host key fingerprint '{text}' does not start with '{Prefix}'; {Hint}";
        var body = text[Prefix.Length..];
        if (body.EndsWith('='))
            body = body.TrimEnd('=');
        if (body.Length != 43)
            return $"host key fingerprint '{text}' has {body.Length} base64 characters after '{Prefix}', not 43; {Hint}";
        return body.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/')
            ? ""
            : $"host key fingerprint '{text}' has characters outside base64; {Hint}";
    }

    public bool Equals(HostKeyFingerprint? other) =>
        other is not null && CryptographicOperations.FixedTimeEquals(_digest, other._digest);

    public override bool Equals(object? obj) => Equals(obj as HostKeyFingerprint);

    public override int GetHashCode() => BitConverter.ToInt32(_digest, 0);

    public override string ToString() => Value;
}
