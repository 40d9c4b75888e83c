using System.Text.RegularExpressions;
using IoTSync.Tests.Nodes;
using IoTSync.Tests.TestBed;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// The installed layout at work, systemd's part played by the test (systemd is not PID 1 here): the x64
/// bundle installed into a scratch root per role, each unit's <c>ExecStart=</c> read from the installed
/// unit and run as the unit's account with its capabilities (setpriv) inside the namespace test bed —
/// the mirror in the mirror's namespace with none, the device node in the device's with CAP_NET_ADMIN
/// alone — the device's sshd with the installed drop-in's account. A command goes each way; after the
/// device node is killed, the unit's <c>ExecStopPost=</c> takes a link that was left up down.
/// The device's bundle is the x64 one, and the arm64 one with every arm64 executable (node, relay,
/// command runner, CLI) under qemu-user against the x64 mirror: the arm64 evidence.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed partial class InstalledNodesBedSpecs
{
    private const string DeviceId = "bed-device";

    [SkippableFact]
    public Task Should_sync_a_command_each_way_running_each_units_exec_start_as_its_account_and_take_the_link_down_after_a_kill() =>
        SyncAsInstalled("linux-x64");

    /// <summary>
    /// The arm64 evidence, run by <c>./iotsync publish --prove-arm64</c> (a trait <c>./iotsync test</c> leaves
    /// out: publishing the arm64 bundle and running .NET under qemu-user take minutes the suite does not have).
    /// </summary>
    [SkippableFact]
    [Trait("Proof", "arm64")]
    public Task Should_sync_a_command_each_way_with_the_arm64_bundles_device_node_under_qemu_user() =>
        SyncAsInstalled("linux-arm64");

    private async Task SyncAsInstalled(string deviceRid)
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        InstalledBundle.SkipUnlessInstallable();
        var emulator = "";
        if (deviceRid == "linux-arm64")
        {
            var (found, reason) = InstalledBundle.Arm64Emulator();
            Skip.If(found is null, reason);
            emulator = found!;
        }
        // Emulated, the device's .NET runs some ten times slower: longer windows and waits.
        var slow = emulator.Length > 0;
        var (period, windowLimit, wait) = slow ? ("10s", "8s", TimeSpan.FromSeconds(240)) : ("3s", "2500ms", TimeSpan.FromSeconds(90));
        string[] Emulated(params string[] argv) => slow ? [emulator, .. argv] : argv;
        var users = InstalledBundle.NewAccounts();
        var prefix = InstalledBundle.PrefixOf(users);
        var (deviceRoot, mirrorRoot) = (InstalledBundle.NewRoot("bed-device"), InstalledBundle.NewRoot("bed-mirror"));
        NetnsTestBed? bed = null;
        PrivateSshd? sshd = null;
        NodeProcess? mirror = null, device = null;
        try
        {
            bed = await NetnsTestBed.Create(1);
            var bedDevice = bed.Devices[0];
            var mirrorAddress = bed.MirrorAddress.ToString();
            var port = PrivateSshd.FreePort();
            (await InstalledBundle.Install("mirror", "--root", mirrorRoot, "--accounts", prefix, "--address", $"{mirrorAddress}:{port}")).EnsureSuccess("install.sh mirror");
            (await InstalledBundle.InstallFrom(deviceRid, slow ? emulator : null, "device", "--root", deviceRoot, "--accounts", prefix, "--", "--id", DeviceId,
                "--mirror", $"{mirrorAddress}:{port}", "--network", "ip", "--interface", bedDevice.InterfaceName, "--period", period, "--window-limit", windowLimit,
                "--allow", "echo", "uname", "true")).EnsureSuccess($"install.sh device ({deviceRid})");
            var (mirrorCli, mirrorConfig) = (Path.Combine(mirrorRoot, "usr/local/bin/iotsync-mirror"), Path.Combine(mirrorRoot, "etc/iotsync/mirror.hocon"));
            var (deviceCli, deviceConfig) = (Path.Combine(deviceRoot, "usr/local/bin/iotsync-device"), Path.Combine(deviceRoot, "etc/iotsync/device.hocon"));
            var deviceState = Path.Combine(deviceRoot, "var/lib/iotsync/device");
            if (slow)
            {
                // The node starts its arm64 command runner by path: through a wrapper that hands it to the emulator.
                var wrapper = Path.Combine(deviceRoot, "emulated-command-runner");
                await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {emulator} {Path.Combine(deviceRoot, "opt/iotsync/bin/iotsync-command-runner")} \"$@\"\n");
                if (!OperatingSystem.IsWindows())
                    File.SetUnixFileMode(wrapper, (UnixFileMode)0b111_101_101);
                await File.AppendAllTextAsync(deviceConfig, $"\n# The arm64 command runner under qemu-user.\niotsync.device.commands.runner = \"{wrapper}\"\n");
            }

            // The device's certificate from the fleet CA, where its configuration expects it, its node's own.
            (await ProcessRunner.Run([mirrorCli, "ca", "sign", "--config", mirrorConfig, "--device", DeviceId, "--csr", Path.Combine(deviceState, "device.csr"),
                "--certificate-out", deviceState], TimeSpan.FromMinutes(1))).EnsureSuccess("iotsync-mirror ca sign");
            await NodeUsers.GiveTo(deviceState, users.DeviceUser);

            // As systemd would start them: the unit's command line, its account, its capabilities, no home.
            var mirrorStart = InstalledBundle.ExecStart(Path.Combine(mirrorRoot, "etc/systemd/system/iotsync-mirror.service"));
            mirror = NodeProcess.Start(mirrorStart[0], mirrorStart[1..], Path.Combine(mirrorRoot, "mirror.log"), AsService(users.MirrorUser),
                users.AsMirror(NetnsTestBed.LauncherFor(bed.MirrorNamespace)));
            await mirror.WaitForOutput(MirrorRunning(), wait);

            sshd = await PrivateSshd.Start(bed.SshdFor(bedDevice) with
            {
                Directory = Path.Combine(deviceRoot, "device-ssh"), Port = DeploymentNetwork.SshPort, SyncUser = users.SyncUser, LogLevel = "VERBOSE",
            });
            var syncCommand = (slow ? emulator + " " : "") + (await File.ReadAllTextAsync(Path.Combine(deviceRoot, "etc/iotsync/sync-command"))).Trim();
            var enrolled = (await ProcessRunner.Run([mirrorCli, "enroll", "--config", mirrorConfig, "--device", DeviceId, "--ssh", $"{bedDevice.Address}:{DeploymentNetwork.SshPort}",
                "--from", mirrorAddress, "--ssh-user", users.SyncUser, "--host-key", sshd.HostKey.Value,
                "--heartbeat-key-file", Path.Combine(deviceState, "heartbeat.key"), "--device-command", syncCommand], TimeSpan.FromMinutes(1))).EnsureSuccess("iotsync-mirror enroll");
            // The relay is forced by its absolute path, so sshd's PATH plays no part.
            Assert.Contains($"{Path.Combine(deviceRoot, "opt/iotsync/bin/iotsync-sync-relay")} --socket ", enrolled.Stdout);
            await File.WriteAllTextAsync(sshd.AuthorizedKeysFile, enrolled.Stdout.Trim() + "\n");

            var deviceStart = InstalledBundle.ExecStart(Path.Combine(deviceRoot, "etc/systemd/system/iotsync-device.service"));
            device = NodeProcess.Start(deviceStart[0], deviceStart[1..], Path.Combine(deviceRoot, "device.log"), AsService(users.DeviceUser),
                InstalledBundle.Through(users.AsDevice(NetnsTestBed.LauncherFor(bedDevice.Namespace)), emulator));
            await device.WaitForOutput(DeviceRunning(), wait);

            var fromMirror = await ProcessRunner.Run([mirrorCli, "exec", "--config", mirrorConfig, "--device", DeviceId, "--wait", $"{(int)wait.TotalSeconds - 20}s", "--", "echo", "from-the-mirror"],
                wait);
            Assert.True(fromMirror.Succeeded && fromMirror.Stdout.Contains("from-the-mirror", StringComparison.Ordinal),
                $"mirror exec: {fromMirror}\n--- mirror:\n{mirror.Tail(30)}\n--- device:\n{device.Tail(30)}\n--- sshd:\n{string.Join('\n', sshd.Log.Split('\n').TakeLast(20))}");

            (await ProcessRunner.Run(Emulated(deviceCli, "exec", "--config", deviceConfig, "--", "echo", "from-the-device"), wait)).EnsureSuccess("iotsync-device exec");
            (await ProcessRunner.Run(Emulated(deviceCli, "exec", "--config", deviceConfig, "--", "set", "probe", "from-the-device"), wait)).EnsureSuccess("iotsync-device exec set");
            // The command, its result and the property set: three device entries at the mirror, the property in its state.
            await Polling.Until("the device's entries at the mirror", wait, async () =>
            {
                var state = await ProcessRunner.Run([mirrorCli, "state", "--config", mirrorConfig, "--device", DeviceId, "--json"], TimeSpan.FromMinutes(1));
                if (!state.Succeeded)
                    return null;
                using var json = System.Text.Json.JsonDocument.Parse(state.Stdout);
                var root = json.RootElement;
                return root.GetProperty("view").GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3
                    && root.GetProperty("properties").TryGetProperty("probe", out var probe) && probe.GetString() == "from-the-device"
                        ? true
                        : (bool?)null;
            });

            // Killed with its link up (as in a window), the node cannot take it down: the unit's ExecStopPost does.
            await device.DisposeAsync();
            await NetnsTestBed.SetLink(bedDevice.Namespace, bedDevice.InterfaceName, up: true);
            var stopPost = InstalledBundle.StopPost(Path.Combine(deviceRoot, "etc/systemd/system/iotsync-device.service"));
            var (file, arguments) = InstalledBundle.Through(users.AsDevice(NetnsTestBed.LauncherFor(bedDevice.Namespace)), emulator).Wrap(stopPost[0], stopPost[1..]);
            (await ProcessRunner.Run([file, .. arguments], wait)).EnsureSuccess("ExecStopPost");
            Assert.False(await NetnsTestBed.IsLinkUp(bedDevice.Namespace, bedDevice.InterfaceName), "the link is down after ExecStopPost");
        }
        finally
        {
            if (device is not null)
                await device.DisposeAsync();
            if (mirror is not null)
                await mirror.DisposeAsync();
            if (sshd is not null)
                await sshd.DisposeAsync();
            if (bed is not null)
                await bed.DisposeAsync();
            await InstalledBundle.RemoveAccounts(users);
            Directory.Delete(deviceRoot, recursive: true);
            Directory.Delete(mirrorRoot, recursive: true);
        }
    }

    /// <summary>The environment systemd gives a service of <paramref name="user"/> with no home of its own.</summary>
    private static Dictionary<string, string> AsService(string user) => new() { ["HOME"] = "/nonexistent", ["USER"] = user, ["LOGNAME"] = user };

    [GeneratedRegex("iotsync-mirror: running")]
    private static partial Regex MirrorRunning();

    [GeneratedRegex("iotsync-device: .* running")]
    private static partial Regex DeviceRunning();
}
