using IoTSync.Tests.Inspection;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The node commands through the real executables: help everywhere, and every error one line on
/// stderr with a non-zero exit, never a stack trace.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NodeCommandLineSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-cli-").FullName;

    private static readonly string[][] DeviceCommands = [["run"], ["exec"], ["sync-endpoint"], ["status"], ["init"], ["tls", "renew"], ["tls", "install"], ["backup"], ["restore"]];

    private static readonly string[][] MirrorCommands = [["run"], ["enroll"], ["exec"], ["result"], ["cancel"], ["devices"], ["state"], ["windows"],
        ["device", "disable"], ["device", "enable"], ["device", "rotate"], ["token", "create"], ["token", "list"], ["token", "revoke"], ["refusals"], ["backup"], ["restore"]];

    [Fact]
    public async Task Should_answer_help_on_every_node_command()
    {
        foreach (var (run, commands) in new (Func<string[], Task<CliRun>>, string[][])[] { (NodeCliRunner.RunDevice, DeviceCommands), (NodeCliRunner.RunMirror, MirrorCommands) })
            foreach (var command in commands)
            {
                var help = await run([.. command, "--help"]);
                Assert.True(help.ExitCode == 0 && help.Stdout.Contains("Usage:") && help.Stderr.Length == 0, $"{string.Join(' ', command)}: {help}");
            }
    }

    [Fact]
    public async Task Should_say_in_one_line_that_no_node_is_running_and_record_nothing()
    {
        var config = await DeviceConfig();

        var exec = await NodeCliRunner.RunDevice("exec", "--config", config, "--", "echo", "x");
        var status = await NodeCliRunner.RunDevice("status", "--config", config);
        var mirror = await MirrorConfig();
        var devices = await NodeCliRunner.RunMirror("devices", "--config", mirror);
        var submit = await NodeCliRunner.RunMirror("exec", "--config", mirror, "--device", "d1", "--", "echo", "x");

        foreach (var run in new[] { exec, status, devices, submit })
        {
            Assert.Equal(2, run.ExitCode);
            Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
            Assert.Matches("^iotsync-(device|mirror): no (device|mirror) node is running \\(nothing answers on ", run.Stderr);
        }
        Assert.False(File.Exists(Path.Combine(_directory, "device", "device.db")));
    }

    [Theory]
    [InlineData("iotsync-mirror: --host-key: ", "--host-key", "SHA256:tooshort")]
    [InlineData("iotsync-mirror: --ssh: 'nohost' is not HOST:PORT", "--ssh", "nohost")]
    [InlineData("iotsync-mirror: --device: 'Bad Id' is not a device id", "--device", "Bad Id")]
    public async Task Should_refuse_a_malformed_enrolment_before_contacting_the_node(string expected, string option, string value)
    {
        var mirror = await MirrorConfig();
        var key = Path.Combine(_directory, "heartbeat.key");
        await File.WriteAllTextAsync(key, new string('a', 64));
        var arguments = new Dictionary<string, string>
        {
            ["--device"] = "d1", ["--ssh"] = "127.0.0.1:22", ["--ssh-user"] = "root",
            ["--host-key"] = "SHA256:" + new string('A', 43), ["--heartbeat-key-file"] = key,
        };
        arguments[option] = value;

        var run = await NodeCliRunner.RunMirror(["enroll", "--config", mirror, .. arguments.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, run.Stderr);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Should_name_the_control_sockets_size_limit_for_an_over_large_request_instead_of_a_broken_pipe()
    {
        // Two arguments of 100 KiB of '<', which the codec writes six bytes each: a request of about 1.2 MB.
        var large = new string('<', 100 * 1024);
        // The mirror's API answers 413 for a body over its limit (MirrorApiSpecs).
        var run = await NodeCliRunner.RunDevice("exec", "--config", await DeviceConfig(), "--", "echo", large, large);

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.Stderr.TrimEnd('\n').Split('\n'));
        Assert.Matches("^iotsync-device: the request is \\d+ bytes; the device node's control socket takes requests of at most 1048576 bytes", run.Stderr);
    }

    [Fact]
    public async Task Should_name_an_unreadable_config_in_one_line()
    {
        var broken = Path.Combine(_directory, "device.hocon");
        // Akka's HOCON parser takes almost any text; an unresolved substitution it does refuse.
        await File.WriteAllTextAsync(broken, "iotsync { device { id = ${nowhere} } }");
        var incomplete = Path.Combine(_directory, "incomplete", "device.hocon");
        Directory.CreateDirectory(Path.GetDirectoryName(incomplete)!);
        await File.WriteAllTextAsync(incomplete, "iotsync { device { id = \"d1\" } }");
        await File.WriteAllTextAsync(Path.Combine(_directory, "incomplete", "shared.hocon"), "");
        await File.WriteAllTextAsync(Path.Combine(_directory, "shared.hocon"), "");

        var missing = await NodeCliRunner.RunDevice("status", "--config", "/nonexistent/device.hocon");
        var malformed = await NodeCliRunner.RunDevice("status", "--config", broken);
        var lacking = await NodeCliRunner.RunDevice("status", "--config", incomplete);

        Assert.Equal("iotsync-device: configuration file '/nonexistent/device.hocon' does not exist\n", missing.Stderr);
        Assert.Equal(2, malformed.ExitCode);
        Assert.StartsWith($"iotsync-device: configuration file '{broken}' is not valid HOCON", malformed.Stderr);
        Assert.DoesNotContain("   at ", malformed.Stderr, StringComparison.Ordinal);
        Assert.Equal((2, "iotsync-device: iotsync.device.mirror.address must be set (not empty)\n"), (lacking.ExitCode, lacking.Stderr));
    }

    [Fact]
    public async Task Should_write_with_init_a_config_the_node_reads_and_a_key_only_the_owner_reads()
    {
        var config = await DeviceConfig();

        var key = Path.Combine(_directory, "device", "heartbeat.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Matches("^[0-9a-f]{64}\n$", await File.ReadAllTextAsync(key));
        var again = await NodeCliRunner.RunDevice("init", "--id", "d1", "--mirror", "127.0.0.1:4053", "--dir", Path.GetDirectoryName(config)!);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force overwrites it", again.Stderr);
    }

    private async Task<string> DeviceConfig()
    {
        var dir = Path.Combine(_directory, "device");
        var init = await NodeCliRunner.RunDevice("init", "--id", "d1", "--mirror", "127.0.0.1:4053", "--dir", dir, "--period", "5s", "--window-limit", "2s");
        Assert.True(init.ExitCode == 0, init.ToString());
        return Path.Combine(dir, "device.hocon");
    }

    private async Task<string> MirrorConfig()
    {
        var dir = Path.Combine(_directory, "mirror");
        Directory.CreateDirectory(dir);
        var shipped = Path.Combine(Path.GetDirectoryName(NodeCliRunner.Mirror)!, "hocon");
        File.Copy(Path.Combine(shipped, "shared.hocon"), Path.Combine(dir, "shared.hocon"), overwrite: true);
        var config = Path.Combine(dir, "mirror.hocon");
        await File.WriteAllTextAsync(config, await File.ReadAllTextAsync(Path.Combine(shipped, "mirror.hocon")) +
            $"\niotsync.mirror.control-socket = \"{Path.Combine(dir, "run", "mirror.sock")}\"\n");
        return config;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
