using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// The x64 bundle <c>./iotsync publish</c> made (<c>dist/iotsync-VERSION-linux-x64.tar.gz</c>; published
/// here when missing), unpacked once per test run, and its installer run into scratch roots with accounts
/// of a prefix of the test's own (<see cref="NewAccounts"/>), which <see cref="RemoveAccounts"/> deletes.
/// </summary>
public static partial class InstalledBundle
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly Dictionary<string, string> UnpackedBundles = [];

    /// <summary>The repository's root (the directory holding IoTSync.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var root = new DirectoryInfo(AppContext.BaseDirectory);
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "IoTSync.sln")))
                root = root.Parent;
            return root?.FullName ?? throw new InvalidOperationException($"no IoTSync.sln above {AppContext.BaseDirectory}");
        }
    }

    /// <summary>The release's version, from Directory.Build.props.</summary>
    public static string Version =>
        VersionElement().Match(File.ReadAllText(Path.Combine(RepositoryRoot, "Directory.Build.props"))).Groups[1].Value;

    public static string Archive(string rid) => Path.Combine(RepositoryRoot, "dist", $"iotsync-{Version}-{rid}.tar.gz");

    /// <summary>Skips the calling test where the installer cannot run: not root, or no useradd/setpriv.</summary>
    public static void SkipUnlessInstallable() =>
        Skip.IfNot(NodeUsers.CanRun, "the installer creates accounts: it needs root, useradd and setpriv");

    /// <summary>The unpacked bundle's directory (holding install.sh); published first when dist/ has none.</summary>
    public static async Task<string> Unpacked(string rid = "linux-x64")
    {
        await Gate.WaitAsync();
        try
        {
            if (UnpackedBundles.TryGetValue(rid, out var unpacked))
                return unpacked;
            var archive = Archive(rid);
            if (!File.Exists(archive))
                (await ProcessRunner.Run([Path.Combine(RepositoryRoot, "iotsync"), "publish", "--rid", rid], TimeSpan.FromMinutes(20)))
                    .EnsureSuccess($"./iotsync publish --rid {rid}");
            var into = Path.Combine(RepositoryRoot, ".work", $"bundle-specs-{rid}");
            if (Directory.Exists(into))
                Directory.Delete(into, recursive: true);
            Directory.CreateDirectory(into);
            (await ProcessRunner.Run(["tar", "-C", into, "-xzf", archive], TimeSpan.FromMinutes(2))).EnsureSuccess("tar -xzf");
            // Every account must reach the bundle's files, as under /opt.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(into, (UnixFileMode)0b111_101_101);
            return UnpackedBundles[rid] = Path.Combine(into, $"iotsync-{Version}-{rid}");
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A scratch root the accounts can enter (a temp directory is 0700).</summary>
    public static string NewRoot(string name)
    {
        var root = Directory.CreateTempSubdirectory($"iotsync-{name}-").FullName;
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        return root;
    }

    /// <summary>A prefix for this test's accounts: it-XXXX-device, it-XXXX-sync, it-XXXX-mirror, group it-XXXX-relay.</summary>
    public static NodeUsers NewAccounts()
    {
        var prefix = $"it{Random.Shared.Next(0x10000):x4}";
        return new NodeUsers($"{prefix}-device", $"{prefix}-sync", $"{prefix}-mirror", $"{prefix}-relay");
    }

    public static string PrefixOf(NodeUsers users) => users.DeviceUser[..^"-device".Length];

    /// <summary>The x64 bundle's install.sh with <paramref name="arguments"/>, as root.</summary>
    public static Task<CliRun> Install(params string[] arguments) => InstallFrom("linux-x64", null, arguments);

    /// <summary>
    /// The <paramref name="rid"/> bundle's install.sh with <paramref name="arguments"/>, as root; its executables
    /// through <paramref name="emulator"/> when given (install.sh's IOTSYNC_EMULATOR).
    /// </summary>
    public static async Task<CliRun> InstallFrom(string rid, string? emulator, params string[] arguments)
    {
        var install = Path.Combine(await Unpacked(rid), "install.sh");
        string[] argv = emulator is null ? ["bash", install, .. arguments] : ["env", $"IOTSYNC_EMULATOR={emulator}", "bash", install, .. arguments];
        return await ProcessRunner.Run(argv, TimeSpan.FromMinutes(5));
    }

    /// <summary>Deletes the test's accounts and groups, whatever state they are in (a test's cleanup).</summary>
    public static async Task RemoveAccounts(NodeUsers users)
    {
        foreach (var user in new[] { users.DeviceUser, users.SyncUser, users.MirrorUser })
            if ((await ProcessRunner.Run(["getent", "passwd", user])).Succeeded)
                await ProcessRunner.Run(["userdel", user]);
        foreach (var group in new[] { users.SocketGroup, users.DeviceUser, users.SyncUser, users.MirrorUser })
            if ((await ProcessRunner.Run(["getent", "group", group])).Succeeded)
                await ProcessRunner.Run(["groupdel", group]);
    }

    /// <summary>The argument vector of a unit's <c>ExecStart=</c> (no quoting in ours: split on spaces).</summary>
    public static string[] ExecStart(string unitFile) => Exec(unitFile, "ExecStart=");

    /// <summary>The argument vector of a unit's <c>ExecStopPost=</c>, without systemd's '-' (ignore failure) prefix.</summary>
    public static string[] StopPost(string unitFile) => Exec(unitFile, "ExecStopPost=");

    private static string[] Exec(string unitFile, string key) =>
        File.ReadLines(unitFile).Single(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].TrimStart('-')
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// The emulator that runs linux-arm64 executables here (qemu-user-static with the arm64 libc, OpenSSL and ICU
    /// of Debian's multiarch, which <c>./iotsync test</c> installs), or null with the reason when there is none.
    /// </summary>
    public static (string? Emulator, string? Reason) Arm64Emulator()
    {
        if (System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.Arm64)
            return ("", null);
        var qemu = ProcessRunner.Find("qemu-aarch64-static") ?? ProcessRunner.Find("qemu-aarch64");
        if (qemu is null)
            return (null, "no qemu-aarch64(-static) to run the arm64 bundle (apt-get install qemu-user-static)");
        if (!File.Exists("/lib/ld-linux-aarch64.so.1") || !Directory.Exists("/usr/lib/aarch64-linux-gnu")
            || !Directory.EnumerateFiles("/usr/lib/aarch64-linux-gnu", "libicuuc.so.*").Any())
            return (null, "no arm64 libc and ICU for qemu (dpkg --add-architecture arm64; apt-get install libc6:arm64 libssl3:arm64 libicu72:arm64)");
        return (qemu, null);
    }

    /// <summary><paramref name="inner"/> with <paramref name="emulator"/> last in its prefix: the program runs under it.</summary>
    public static Launcher Through(Launcher inner, string emulator) =>
        emulator.Length == 0 ? inner : new([.. inner.Prefix.IsDefault ? ImmutableArray<string>.Empty : inner.Prefix, emulator], inner.OwnProcessGroup);

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
