using System.Text.RegularExpressions;
using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// The x64 bundle's install.sh into scratch roots: the layout (binaries under /opt/iotsync linked onto
/// PATH, configuration under /etc/iotsync with absolute paths only, state 0700 of the node's account),
/// the accounts, the sshd drop-in and the units, which <c>systemd-analyze verify</c> accepts; a second
/// run changes nothing; <c>--uninstall</c> keeps the configuration, the data and the accounts, and
/// <c>--purge</c> removes them.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed partial class BundleInstallSpecs
{
    [SkippableFact]
    public async Task Should_install_each_role_into_a_scratch_root_change_nothing_when_run_again_and_keep_the_data_on_uninstall()
    {
        InstalledBundle.SkipUnlessInstallable();
        var users = InstalledBundle.NewAccounts();
        var prefix = InstalledBundle.PrefixOf(users);
        var (device, mirror) = (InstalledBundle.NewRoot("device-root"), InstalledBundle.NewRoot("mirror-root"));
        try
        {
            string[] deviceArgs = ["device", "--root", device, "--accounts", prefix, "--", "--id", "bundle-device", "--mirror", "10.0.0.1:4053", "--window-limit", "1800ms"];
            string[] mirrorArgs = ["mirror", "--root", mirror, "--accounts", prefix, "--address", "mirror.example:4053"];
            (await InstalledBundle.Install(deviceArgs)).EnsureSuccess("install.sh device");
            (await InstalledBundle.Install(mirrorArgs)).EnsureSuccess("install.sh mirror");

            Assert.True(File.Exists(Path.Combine(device, "opt/iotsync/device/iotsync-device")));
            Assert.Equal(Path.Combine(device, "opt/iotsync/device/iotsync-device"), new FileInfo(Path.Combine(device, "usr/local/bin/iotsync-device")).LinkTarget);
            Assert.Equal(Path.Combine(mirror, "opt/iotsync/mirror/iotsync-mirror"), new FileInfo(Path.Combine(mirror, "usr/local/bin/iotsync-mirror")).LinkTarget);
            foreach (var (root, config) in new[] { (device, "device.hocon"), (mirror, "mirror.hocon") })
            {
                // Every path the installation wrote is absolute, inside its root.
                foreach (Match path in WrittenPath().Matches(await File.ReadAllTextAsync(Path.Combine(root, "etc/iotsync", config))))
                    Assert.StartsWith(root + "/", path.Groups["path"].Value, StringComparison.Ordinal);
                var state = new DirectoryInfo(Path.Combine(root, "var/lib/iotsync", Path.GetFileNameWithoutExtension(config)));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, state.UnixFileMode);
            }
            Assert.Equal(users.DeviceUser, await Owner(Path.Combine(device, "var/lib/iotsync/device")));
            Assert.Equal(users.MirrorUser, await Owner(Path.Combine(mirror, "var/lib/iotsync/mirror")));
            Assert.True(File.Exists(Path.Combine(mirror, "var/lib/iotsync/mirror/fleet-ca.crt")), "the installer made the fleet CA");
            Assert.Equal("/bin/sh", (await ProcessRunner.Run(["getent", "passwd", users.SyncUser])).Stdout.Trim().Split(':')[6]);
            Assert.Contains(users.SocketGroup, (await ProcessRunner.Run(["id", "-nG", users.SyncUser])).Stdout.Split(' ', StringSplitOptions.TrimEntries));
            Assert.Equal($"{device}/opt/iotsync/bin/iotsync-sync-relay --socket {device}/run/iotsync/device.sock --limit-ms 1800",
                (await File.ReadAllTextAsync(Path.Combine(device, "etc/iotsync/sync-command"))).Trim());
            Assert.Contains($"AllowUsers {users.SyncUser}", await File.ReadAllTextAsync(Path.Combine(device, "etc/ssh/sshd_config.d/iotsync-device.conf")));
            var deviceUnit = await File.ReadAllTextAsync(Path.Combine(device, "etc/systemd/system/iotsync-device.service"));
            Assert.Contains($"User={users.DeviceUser}", deviceUnit);
            Assert.Contains("AmbientCapabilities=CAP_NET_ADMIN", deviceUnit);
            Assert.Contains("CapabilityBoundingSet=\n", await File.ReadAllTextAsync(Path.Combine(mirror, "etc/systemd/system/iotsync-mirror.service")));

            var verify = await ProcessRunner.Run(["systemd-analyze", "verify",
                Path.Combine(device, "etc/systemd/system/iotsync-device.service"), Path.Combine(device, "etc/systemd/system/iotsync-device-dark.service"),
                Path.Combine(mirror, "etc/systemd/system/iotsync-mirror.service")], TimeSpan.FromMinutes(1));
            Assert.True(verify.Succeeded && !verify.Stderr.Contains("iotsync", StringComparison.Ordinal), $"systemd-analyze verify: {verify}");

            // A second run changes nothing and says nothing was written.
            var before = (await Tree(device), await Tree(mirror));
            var again = ((await InstalledBundle.Install(deviceArgs)).EnsureSuccess("install.sh device, again"),
                (await InstalledBundle.Install(mirrorArgs)).EnsureSuccess("install.sh mirror, again"));
            Assert.Equal(before, (await Tree(device), await Tree(mirror)));
            Assert.DoesNotMatch(Changed(), again.Item1.Stdout + again.Item2.Stdout);

            // Uninstall: the binaries, links and units go; the configuration, the data and the accounts stay.
            (await InstalledBundle.Install("device", "--root", device, "--accounts", prefix, "--uninstall")).EnsureSuccess("install.sh device --uninstall");
            Assert.False(Directory.Exists(Path.Combine(device, "opt/iotsync")));
            Assert.False(File.Exists(Path.Combine(device, "usr/local/bin/iotsync-device")));
            Assert.False(File.Exists(Path.Combine(device, "etc/systemd/system/iotsync-device.service")));
            Assert.True(File.Exists(Path.Combine(device, "var/lib/iotsync/device/heartbeat.key")));
            Assert.True(File.Exists(Path.Combine(device, "etc/iotsync/device.hocon")));
            Assert.True((await ProcessRunner.Run(["getent", "passwd", users.DeviceUser])).Succeeded);

            // Purge: the data and the accounts go too.
            (await InstalledBundle.Install("device", "--root", device, "--accounts", prefix, "--uninstall", "--purge")).EnsureSuccess("install.sh device --uninstall --purge");
            (await InstalledBundle.Install("mirror", "--root", mirror, "--accounts", prefix, "--uninstall", "--purge")).EnsureSuccess("install.sh mirror --uninstall --purge");
            Assert.False(Directory.Exists(Path.Combine(device, "var/lib/iotsync/device")));
            Assert.False(Directory.Exists(Path.Combine(mirror, "var/lib/iotsync/mirror")));
            foreach (var user in new[] { users.DeviceUser, users.SyncUser, users.MirrorUser })
                Assert.False((await ProcessRunner.Run(["getent", "passwd", user])).Succeeded, $"{user} was purged");
        }
        finally
        {
            await InstalledBundle.RemoveAccounts(users);
            Directory.Delete(device, recursive: true);
            Directory.Delete(mirror, recursive: true);
        }
    }

    private static async Task<string> Owner(string path) =>
        (await ProcessRunner.Run(["stat", "-c", "%U", path])).EnsureSuccess("stat").Stdout.Trim();

    /// <summary>Every file under a root with its type, mode, owner, size, time and link target.</summary>
    private static async Task<string> Tree(string root) =>
        (await ProcessRunner.Run(["find", root, "-printf", "%P %y %m %u:%g %s %T@ %l\\n"], TimeSpan.FromMinutes(1))).EnsureSuccess("find").Stdout;

    [GeneratedRegex("""(?m)^(?:iotsync|akka)\.[a-z.-]+ = "(?<path>[^"]*/[^"]*)"$""")]
    private static partial Regex WrittenPath();

    [GeneratedRegex("install.sh: (wrote|installed|linked|created|added)")]
    private static partial Regex Changed();
}
