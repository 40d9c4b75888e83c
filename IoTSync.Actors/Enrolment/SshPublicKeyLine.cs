using IoTSync.Mirror.Ssh;

namespace IoTSync.Enrolment;

/// <summary>An OpenSSH public key line (<c>TYPE BASE64 [COMMENT]</c>, as in <c>ssh_host_ed25519_key.pub</c>) and its SHA-256 fingerprint.</summary>
public static class SshPublicKeyLine
{
    /// <summary>The fingerprint <c>ssh-keygen -lf FILE -E sha256</c> prints for the key on <paramref name="line"/>; a <see cref="FormatException"/> saying what is wrong.</summary>
    public static HostKeyFingerprint Fingerprint(string line) => HostKeyFingerprint.OfKey(Blob(line));

    /// <summary>Checks <paramref name="line"/> is one public key line; it comes back trimmed.</summary>
    public static string Check(string line)
    {
        Blob(line);
        return line.Trim();
    }

    private static byte[] Blob(string line)
    {
        var words = line.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 2 || !words[0].StartsWith("ssh-", StringComparison.Ordinal) && !words[0].StartsWith("ecdsa-", StringComparison.Ordinal))
            throw new FormatException("not an OpenSSH public key line (TYPE BASE64 [COMMENT], e.g. ssh-ed25519 AAAA...)");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(words[1]);
        }
        catch (FormatException)
        {
            throw new FormatException("the key of the public key line is not base64");
        }
        // The blob starts with the key type again, length-prefixed: a line whose two halves disagree is no key.
        if (blob.Length < 4 + words[0].Length
            || System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(blob) != (uint)words[0].Length
            || System.Text.Encoding.ASCII.GetString(blob, 4, words[0].Length) != words[0])
            throw new FormatException($"the key of the public key line is not a {words[0]} key");
        return blob;
    }
}
