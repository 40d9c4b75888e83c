using System.Text.Json.Nodes;
using IoTSync.Enrolment;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Enrolment;

/// <summary>
/// The enrolment file <c>iotsync-device init</c> writes and <c>iotsync-mirror enroll --file</c> reads:
/// every field survives a round trip, the file is owner-only, and anything else than version 1 of
/// the format with values that would enrol is refused with one line saying what.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnrolmentFileSpecs : IDisposable
{
    private const string Request = "-----BEGIN CERTIFICATE REQUEST-----\nMIHOMHYCAQAw\n-----END CERTIFICATE REQUEST-----\n";

    // An ed25519 public key line as ssh-keygen writes it (the key: bytes 0 to 31).
    private const string PublicKeyLine = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f device@board";

    private static readonly string HeartbeatKey = new('a', 64);

    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-enrolment-").FullName;

    private static EnrolmentFile Direct => new(new DeviceId("board-7"), EnrolmentMode.Direct, "10.0.0.7:22", "iotsync-sync",
        HostKeyFingerprint.Parse("SHA256:z7LBVG1y408ahs/74PsgY0cyw0ehwC6Z1qlmhVNlh+0"), null, HeartbeatKey, Request);

    [Fact]
    public void Should_round_trip_every_field_of_a_direct_and_of_a_reverse_device()
    {
        var reverse = new EnrolmentFile(new DeviceId("behind-nat"), EnrolmentMode.Reverse, null, null, null, PublicKeyLine, HeartbeatKey, null);

        foreach (var file in new[] { Direct, reverse })
        {
            var read = EnrolmentFile.Parse(file.ToJson());
            Assert.Equal(file, read);
            Assert.Equal(file.ToJson(), read.ToJson());
        }
    }

    [Fact]
    public void Should_write_a_versioned_file_people_can_read_owner_only()
    {
        var path = Path.Combine(_directory, EnrolmentFile.FileName(Direct.Device));

        Direct.Write(path);
        Direct.Write(path);

        Assert.Equal("enrol-board-7.json", Path.GetFileName(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var text = File.ReadAllText(path);
        Assert.Contains("\"format\": \"iotsync-enrolment\"", text);
        Assert.Contains("\"version\": 1", text);
        Assert.Contains("\"mode\": \"direct\"", text);
        Assert.Contains("\"SHA256:z7LBVG1y408ahs/74PsgY0cyw0ehwC6Z1qlmhVNlh+0\"", text);
        Assert.DoesNotContain("\\u002B", text);
        Assert.Equal(Direct, EnrolmentFile.Read(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public void Should_give_the_fingerprint_ssh_keygen_prints_for_a_public_key_line()
    {
        var blob = Convert.FromBase64String(PublicKeyLine.Split(' ')[1]);

        Assert.Equal(HostKeyFingerprint.OfKey(blob), SshPublicKeyLine.Fingerprint(PublicKeyLine + "\n"));
        Assert.Throws<FormatException>(() => SshPublicKeyLine.Fingerprint("ssh-rsa " + PublicKeyLine.Split(' ')[1]));
        Assert.Throws<FormatException>(() => SshPublicKeyLine.Fingerprint("not a key"));
    }

    [Theory]
    [InlineData("version", "2", "is version 2; this program reads version 1 only")]
    [InlineData("version", "\"1\"", "no whole-number \"version\"")]
    [InlineData("format", "\"something-else\"", "its \"format\" is not \"iotsync-enrolment\"")]
    [InlineData("device", "\"Board 7\"", "device 'Board 7' is not a device id")]
    [InlineData("device", "null", "has no \"device\"")]
    [InlineData("mode", "\"sideways\"", "mode 'sideways' is not direct or reverse")]
    [InlineData("sshAddress", "\"no-port\"", "sshAddress 'no-port' is not HOST:PORT")]
    [InlineData("sshUser", "\"two words\"", "sshUser 'two words' is not an account name")]
    [InlineData("hostKey", "\"MD5:aa\"", "hostKey: host key fingerprint 'MD5:aa' is an MD5 fingerprint")]
    [InlineData("deviceSshPublicKey", "\"ssh-ed25519 !!!\"", "deviceSshPublicKey: the key of the public key line is not base64")]
    [InlineData("heartbeatKey", "\"abcd\"", "heartbeatKey is not hex of at least 32 bytes")]
    [InlineData("heartbeatKey", "7", "\"heartbeatKey\" is not a string")]
    [InlineData("certificateRequest", "\"-----BEGIN CERTIFICATE-----\"", "certificateRequest is not a PEM certificate request")]
    [InlineData("password", "\"x\"", "unknown field \"password\"")]
    public void Should_refuse_a_field_that_would_not_enrol_saying_which(string field, string json, string expected)
    {
        var file = JsonNode.Parse(Direct.ToJson())!.AsObject();
        file[field] = JsonNode.Parse(json);

        var refused = Assert.Throws<FormatException>(() => EnrolmentFile.Parse(file.ToJsonString()));

        Assert.Contains(expected, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Theory]
    [InlineData("", "not JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"version\": 1}", "its \"format\" is not")]
    public void Should_refuse_what_is_not_an_enrolment_file(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<FormatException>(() => EnrolmentFile.Parse(text)).Message);

    [Fact]
    public void Should_refuse_to_write_a_file_that_would_not_enrol()
    {
        var bad = Direct with { HeartbeatKey = "short" };

        Assert.Throws<FormatException>(() => bad.Write(Path.Combine(_directory, "bad.json")));
        Assert.Empty(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
