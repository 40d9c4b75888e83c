using System.Buffers.Binary;
using System.Text;
using IoTSync.Mirror.Ssh;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// A reverse-mode device's SSH public key, as OpenSSH writes it in a <c>.pub</c> file
/// (<c>ALGORITHM BASE64 [COMMENT]</c>): Ed25519 or ECDSA only, the algorithm named inside the blob
/// the same as outside. <see cref="Line"/> is the key without its comment: what the registry stores and
/// the mirror host's authorized_keys line ends with.
/// </summary>
public sealed class DevicePublicKey
{
    private static readonly string[] Algorithms = ["ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

    private DevicePublicKey(string algorithm, byte[] blob)
    {
        Algorithm = algorithm;
        Blob = blob;
    }

    public string Algorithm { get; }

    public byte[] Blob { get; }

    /// <summary><c>ALGORITHM BASE64</c>, no comment.</summary>
    public string Line => $"{Algorithm} {Convert.ToBase64String(Blob)}";

    /// <summary>The key's SHA-256 fingerprint as <c>ssh-keygen -lf</c> prints it (what sshd logs when the key logs in).</summary>
    public HostKeyFingerprint Fingerprint => HostKeyFingerprint.OfKey(Blob);

    public static DevicePublicKey Parse(string? text) =>
        TryParse(text, out var key, out var problem) ? key : throw new FormatException(problem);

    public static bool TryParse(string? text, out DevicePublicKey key, out string problem)
    {
        key = null!;
        var trimmed = text?.Trim() ?? "";
        if (trimmed.Length == 0 || trimmed.Contains('\n') || trimmed.Contains('\r'))
        {
            problem = "the device SSH key must be one line, 'ALGORITHM BASE64 [COMMENT]' as in the device's .pub file";
            return false;
        }
        var parts = trimmed.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || !Algorithms.Contains(parts[0], StringComparer.Ordinal))
        {
            problem = $"the device SSH key must start with one of {string.Join(", ", Algorithms)} (no options before it)";
            return false;
        }
        var blob = new byte[parts[1].Length];
        if (!Convert.TryFromBase64String(parts[1], blob, out var length) || NameIn(blob.AsSpan(0, length)) != parts[0])
        {
            problem = $"the device SSH key's base64 is not a {parts[0]} public key";
            return false;
        }
        key = new DevicePublicKey(parts[0], blob[..length]);
        problem = "";
        return true;
    }

    /// <summary>The algorithm name a public key blob starts with (an SSH string), or null.</summary>
    private static string? NameIn(ReadOnlySpan<byte> blob)
    {
        if (blob.Length < 4)
            return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return length > 64 || length > blob.Length - 4 ? null : Encoding.ASCII.GetString(blob.Slice(4, (int)length));
    }

    public override string ToString() => $"{Algorithm} {Fingerprint}";
}
