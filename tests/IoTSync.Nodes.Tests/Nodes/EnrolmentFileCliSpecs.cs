using System.Text.Json.Nodes;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// Enrolment without hand-copying, through the real executables: <c>iotsync-device init</c> writes the
/// enrolment file, <c>iotsync-mirror enroll --file</c> takes it, and a command syncs; a file that is
/// malformed, of another version, or given with the flags it replaces is refused in one line and nothing is written.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class EnrolmentFileCliSpecs
{
    [SkippableFact]
    public async Task Should_enrol_from_the_file_init_wrote_and_sync_a_command()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        var file = deployment.DeviceEnrolmentFile;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        await deployment.StartMirror();

        var enroll = (await deployment.MirrorCli(["enroll", "--file", file, "--from", deployment.MirrorHost, "--device-command", deployment.SyncEndpointCommand,
            "--certificate-out", Path.Combine(deployment.Directory, "device")])).EnsureSuccess("iotsync-mirror enroll --file");
        Assert.Contains($"enrolled {deployment.DeviceId}; add this line", enroll.Stderr);
        Assert.Contains("install them on the device", enroll.Stderr);
        await File.WriteAllTextAsync(deployment.Sshd.AuthorizedKeysFile, enroll.Stdout.Trim() + "\n");
        var devices = await deployment.MirrorJson("devices");
        Assert.Contains(deployment.DeviceSshEndpoint, devices.GetRawText());

        await deployment.StartDevice();
        var result = await rig.AwaitResult(await rig.LeaveAtMirror(["echo", "enrolled-from-file"]));
        Assert.Equal(0, result.GetProperty("exitCode").GetInt32());
        Assert.Equal("enrolled-from-file\n", result.GetProperty("output").GetString());
    }

    [SkippableFact]
    public async Task Should_refuse_a_bad_enrolment_file_in_one_line_and_write_nothing()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        var good = JsonNode.Parse(await File.ReadAllTextAsync(deployment.DeviceEnrolmentFile))!.AsObject();
        var cases = new (string Name, string Text, string[] Extra, string Expected)[]
        {
            ("not-json.json", "device = d1\n", [], "not an enrolment file: not JSON"),
            ("version-2.json", With(good, "version", 2), [], "is version 2; this program reads version 1 only"),
            ("unknown-field.json", With(good, "sshPassword", "hunter2"), [], "unknown field \"sshPassword\""),
            ("bad-key.json", With(good, "heartbeatKey", "abc"), [], "heartbeatKey is not hex"),
            ("reverse-without-key.json", With(good, "mode", "reverse"), [], "is for reverse mode but holds no device SSH key"),
            ("with-mode.json", good.ToJsonString(), ["--mode", "reverse"], "--mode and --file do not go together"),
            ("with-device.json", good.ToJsonString(), ["--device", "other"], "--device and --file do not go together"),
        };
        await deployment.StartMirror();

        foreach (var (name, text, extra, expected) in cases)
        {
            var path = Path.Combine(rig.Directory, name);
            await File.WriteAllTextAsync(path, text);
            var output = Path.Combine(rig.Directory, "issued-" + name);
            var run = await deployment.MirrorCli(["enroll", "--file", path, "--certificate-out", output, .. extra]);

            Assert.True(run.ExitCode == 2, $"{name}: {run}");
            Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("iotsync-mirror: ", run.Stderr);
            Assert.Contains(expected, run.Stderr);
            Assert.False(Directory.Exists(output), $"{name}: a certificate was written");
        }
        Assert.Equal(0, (await deployment.MirrorJson("devices")).GetProperty("devices").GetArrayLength());
    }

    [Fact]
    public async Task Should_refuse_at_init_a_host_key_file_that_holds_no_key_and_write_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("iotsync-init-").FullName;
        try
        {
            var notAKey = Path.Combine(directory, "host_key.pub");
            await File.WriteAllTextAsync(notAKey, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
            var device = Path.Combine(directory, "device");

            var run = await NodeCliRunner.RunDevice("init", "--id", "d1", "--mirror", "127.0.0.1:4053", "--dir", device, "--host-key-file", notAKey);

            Assert.True(run.ExitCode == 2, run.ToString());
            Assert.StartsWith($"iotsync-device: --host-key-file: {notAKey}: not an OpenSSH public key line", run.Stderr);
            Assert.False(Directory.Exists(device));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static string With(JsonObject file, string field, JsonNode value)
    {
        var copy = JsonNode.Parse(file.ToJsonString())!.AsObject();
        copy[field] = value;
        return copy.ToJsonString();
    }
}
