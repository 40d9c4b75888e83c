using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// The mirror's SSH identity: an ECDSA P-256 key pair made here with .NET (no ssh-keygen needed
/// on the mirror), the private key as PEM readable by SSH.NET, owner-only, and the public key in
/// OpenSSH's one-line form for the device's authorized_keys. A reverse-mode device makes its own
/// identity the same way (<c>iotsync-device init --mode reverse</c>), for the mirror host's authorized_keys.
/// </summary>
public sealed class MirrorKeyPair
{
    private const string Algorithm = "ecdsa-sha2-nistp256";

    private MirrorKeyPair(string privateKeyPath, string publicKeyLine)
    {
        PrivateKeyPath = privateKeyPath;
        PublicKeyLine = publicKeyLine;
    }

    public string PrivateKeyPath { get; }

    /// <summary><c>ecdsa-sha2-nistp256 AAAA… iotsync-mirror</c>.</summary>
    public string PublicKeyLine { get; }

    /// <summary>Loads the key pair at <paramref name="privateKeyPath"/>, creating it (0600) when missing; <paramref name="comment"/> ends the public key line.</summary>
    public static MirrorKeyPair LoadOrCreate(string privateKeyPath, string comment = "iotsync-mirror")
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the mirror's SSH key needs Unix file permissions");
        using var key = ECDsa.Create();
        if (File.Exists(privateKeyPath))
        {
            try
            {
                key.ImportFromPem(File.ReadAllText(privateKeyPath));
            }
            catch (Exception e) when (e is ArgumentException or CryptographicException)
            {
                throw new IOException($"the SSH key {privateKeyPath} is not an ECDSA PEM key this node made: {e.Message}", e);
            }
        }
        else
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            var directory = Path.GetDirectoryName(Path.GetFullPath(privateKeyPath))!;
            Directory.CreateDirectory(directory);
            var temporary = privateKeyPath + ".tmp";
            using (var file = new FileStream(temporary, new FileStreamOptions
                   {
                       Mode = FileMode.CreateNew, Access = FileAccess.Write,
                       UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                   }))
            using (var writer = new StreamWriter(file, new UTF8Encoding(false)))
                writer.Write(key.ExportECPrivateKeyPem() + "\n");
            File.Move(temporary, privateKeyPath);
        }
        var line = $"{Algorithm} {Convert.ToBase64String(PublicBlob(key.ExportParameters(false)))} {comment}";
        File.WriteAllText(privateKeyPath + ".pub", line + "\n");
        return new MirrorKeyPair(privateKeyPath, line);
    }

    /// <summary>
    /// The line for the device's authorized_keys: key only from the mirror's address, no
    /// forwarding or pty (<c>restrict</c>), and the sync endpoint forced whatever the mirror asks.
    /// </summary>
    public string AuthorizedKeysLine(string fromAddress, string deviceCommand)
    {
        if (fromAddress.Any(c => c is '"' or ',' or ' ' or '\n'))
            throw new ArgumentException($"'{fromAddress}' is not a usable address pattern for from=", nameof(fromAddress));
        if (deviceCommand.Contains('\n'))
            throw new ArgumentException("the device command must be one line", nameof(deviceCommand));
        var command = deviceCommand.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return $"restrict,from=\"{fromAddress}\",command=\"{command}\" {PublicKeyLine}";
    }

    /// <summary>RFC 5656 public key blob: string algorithm, string curve, string Q (uncompressed point).</summary>
    private static byte[] PublicBlob(ECParameters parameters)
    {
        var point = new byte[1 + parameters.Q.X!.Length + parameters.Q.Y!.Length];
        point[0] = 0x04;
        parameters.Q.X.CopyTo(point, 1);
        parameters.Q.Y.CopyTo(point, 1 + parameters.Q.X.Length);
        using var blob = new MemoryStream();
        WriteString(blob, Encoding.ASCII.GetBytes(Algorithm));
        WriteString(blob, Encoding.ASCII.GetBytes("nistp256"));
        WriteString(blob, point);
        return blob.ToArray();
    }

    private static void WriteString(Stream stream, byte[] bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }
}
