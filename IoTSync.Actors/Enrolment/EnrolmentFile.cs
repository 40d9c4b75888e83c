using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTSync.Configuration;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;

namespace IoTSync.Enrolment;

/// <summary>
/// Everything the mirror's <c>enroll</c> needs from a device, in one owner-only JSON file that
/// <c>iotsync-device init</c> writes and <c>iotsync-mirror enroll --file</c> reads: the device id,
/// its mode, for <see cref="EnrolmentMode.Direct"/> the SSH address, account and host key fingerprint
/// the mirror uses, for <see cref="EnrolmentMode.Reverse"/> the device's own SSH public key, the
/// heartbeat key, and the TLS certificate request. Versioned by <c>format</c> and <c>version</c>;
/// a reader refuses any other version, any unknown field, and any value that would not enrol.
/// </summary>
/// <remarks>
/// The heartbeat key is a secret shared with the mirror: the file is written 0600 and is to be moved
/// over an authenticated, encrypted channel (scp) and deleted once enrolled. The device's TLS key and
/// its SSH host key's private half never are in it.
/// </remarks>
/// <param name="Device">The device id.</param>
/// <param name="Mode">Who dials whom.</param>
/// <param name="SshAddress">Direct: the device's sshd as the mirror reaches it (HOST:PORT); null when init was not told.</param>
/// <param name="SshUser">Direct: the account the mirror logs in as; null when init was not told.</param>
/// <param name="HostKey">Direct: the device's SSH host key fingerprint; null when init could not read the host key.</param>
/// <param name="DeviceSshPublicKey">Reverse: the device's SSH public key line, which the mirror's authorized_keys admits; null when absent.</param>
/// <param name="HeartbeatKey">The heartbeat key (hex, at least 32 bytes).</param>
/// <param name="CertificateRequest">The device's TLS certificate request (PEM), or null when the device has none to give.</param>
public sealed record EnrolmentFile(
    DeviceId Device,
    EnrolmentMode Mode,
    string? SshAddress,
    string? SshUser,
    HostKeyFingerprint? HostKey,
    string? DeviceSshPublicKey,
    string HeartbeatKey,
    string? CertificateRequest)
{
    /// <summary>The value of <c>format</c>: what the file is.</summary>
    public const string Format = "iotsync-enrolment";

    /// <summary>The one version this code writes and reads.</summary>
    public const int Version = 1;

    private const string RequestHeader = "-----BEGIN CERTIFICATE REQUEST-----";

    private static readonly string[] Fields =
        ["format", "version", "device", "mode", "sshAddress", "sshUser", "hostKey", "deviceSshPublicKey", "heartbeatKey", "certificateRequest"];

    /// <summary>The file's name for a device: <c>enrol-ID.json</c>.</summary>
    public static string FileName(DeviceId device) => $"enrol-{device.Value}.json";

    /// <summary>The mode as the file spells it.</summary>
    public static string ModeName(EnrolmentMode mode) => mode == EnrolmentMode.Reverse ? "reverse" : "direct";

    /// <summary>The file's text: indented JSON, fields in a fixed order, absent values as null.</summary>
    public string ToJson()
    {
        Check(this);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions
               {
                   Indented = true,
                   // A file people read and move by hand: '+' in a fingerprint and PEM stays '+', not \u002B; never embedded in HTML.
                   Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
               }))
        {
            json.WriteStartObject();
            json.WriteString("format", Format);
            json.WriteNumber("version", Version);
            json.WriteString("device", Device.Value);
            json.WriteString("mode", ModeName(Mode));
            WriteOrNull(json, "sshAddress", SshAddress);
            WriteOrNull(json, "sshUser", SshUser);
            WriteOrNull(json, "hostKey", HostKey?.Value);
            WriteOrNull(json, "deviceSshPublicKey", DeviceSshPublicKey);
            json.WriteString("heartbeatKey", HeartbeatKey);
            WriteOrNull(json, "certificateRequest", CertificateRequest);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>Reads the file's text; a <see cref="FormatException"/> with one line saying what is wrong.</summary>
    public static EnrolmentFile Parse(string text)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not an enrolment file: not JSON ({e.Message})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new FormatException("not an enrolment file: not a JSON object");
            if (String(root, "format") != Format)
                throw new FormatException($"not an enrolment file: its \"format\" is not \"{Format}\"");
            if (!root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
                throw new FormatException("the enrolment file has no whole-number \"version\"");
            if (number != Version)
                throw new FormatException($"the enrolment file is version {number.ToString(CultureInfo.InvariantCulture)}; this program reads version {Version} only");
            foreach (var property in root.EnumerateObject())
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                    throw new FormatException($"the enrolment file has an unknown field \"{property.Name}\"");
            var id = String(root, "device") ?? throw new FormatException("the enrolment file has no \"device\"");
            if (!DeviceId.IsValid(id))
                throw new FormatException($"the enrolment file's device '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
            var mode = String(root, "mode") switch
            {
                "direct" => EnrolmentMode.Direct,
                "reverse" => EnrolmentMode.Reverse,
                null => throw new FormatException("the enrolment file has no \"mode\""),
                var other => throw new FormatException($"the enrolment file's mode '{other}' is not direct or reverse"),
            };
            HostKeyFingerprint? hostKey = null;
            if (String(root, "hostKey") is { } fingerprint)
                hostKey = HostKeyFingerprint.TryParse(fingerprint, out var parsed, out var problem)
                    ? parsed
                    : throw new FormatException($"the enrolment file's hostKey: {problem}");
            var file = new EnrolmentFile(new DeviceId(id), mode, String(root, "sshAddress"), String(root, "sshUser"), hostKey,
                String(root, "deviceSshPublicKey"), String(root, "heartbeatKey") ?? throw new FormatException("the enrolment file has no \"heartbeatKey\""),
                String(root, "certificateRequest"));
            Check(file);
            return file;
        }
    }

    /// <summary>Reads <paramref name="path"/>; a missing file is an <see cref="IOException"/>, a bad one a <see cref="FormatException"/>.</summary>
    public static EnrolmentFile Read(string path)
    {
        if (!File.Exists(path))
            throw new IOException($"{path} does not exist");
        var info = new FileInfo(path);
        // An enrolment file is a few kilobytes: anything far larger is not one, and is not read whole.
        if (info.Length > 64 * 1024)
            throw new FormatException($"not an enrolment file: {info.Length.ToString(CultureInfo.InvariantCulture)} bytes");
        return Parse(File.ReadAllText(path));
    }

    /// <summary>Writes the file owner-only (0600 from creation), replacing an existing one only through a rename.</summary>
    public void Write(string path)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the enrolment file holds the heartbeat key and needs Unix permissions");
        var text = ToJson();
        var temporary = path + ".new";
        File.Delete(temporary);
        using (var stream = new FileStream(temporary, new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
        {
            stream.Write(Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Refuses a file that could not enrol: every value is checked as the mirror's enroll checks its flags.</summary>
    private static void Check(EnrolmentFile file)
    {
        if (file.SshAddress is { } address && !HostPort.TryParse(address, out _, out _))
            throw new FormatException($"the enrolment file's sshAddress '{address}' is not HOST:PORT");
        if (file.SshUser is { } user && (user.Length == 0 || user.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
            throw new FormatException($"the enrolment file's sshUser '{user}' is not an account name");
        if (file.DeviceSshPublicKey is { } line)
        {
            try
            {
                SshPublicKeyLine.Check(line);
            }
            catch (FormatException e)
            {
                throw new FormatException($"the enrolment file's deviceSshPublicKey: {e.Message}");
            }
        }
        if (file.HeartbeatKey.Length < 2 * Protocol.HeartbeatAuthenticator.MinimumKeyBytes || file.HeartbeatKey.Length % 2 != 0
            || !file.HeartbeatKey.All(char.IsAsciiHexDigit))
            throw new FormatException($"the enrolment file's heartbeatKey is not hex of at least {Protocol.HeartbeatAuthenticator.MinimumKeyBytes} bytes");
        if (file.CertificateRequest is { } request && !request.TrimStart().StartsWith(RequestHeader, StringComparison.Ordinal))
            throw new FormatException("the enrolment file's certificateRequest is not a PEM certificate request");
    }

    private static string? String(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new FormatException($"the enrolment file's \"{name}\" is not a string");
    }

    private static void WriteOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteString(name, value);
    }
}
