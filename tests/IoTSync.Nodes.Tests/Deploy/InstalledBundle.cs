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
    private static string? _unpacked;

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

    /// <summary>The unpacked x64 bundle's directory (holding install.sh); published first when dist/ has none.</summary>
    public static async Task<string> Unpacked()
    {
        await Gate.WaitAsync();
        try
        {
            if (_unpacked is not null)
                return _unpacked;
            var archive = Archive("linux-x64");
            if (!File.Exists(archive))
                (await ProcessRunner.Run([Path.Combine(RepositoryRoot, "iotsync"), "publish", "--rid", "linux-x64"], TimeSpan.FromMinutes(20)))
                    .EnsureSuccess("./iotsync publish --rid linux-x64");
            var into = Path.Combine(RepositoryRoot, ".work", "bundle-specs");
            if (Directory.Exists(into))
                Directory.Delete(into, recursive: true);
            Directory.CreateDirectory(into);
            (await ProcessRunner.Run(["tar", "-C", into, "-xzf", archive], TimeSpan.FromMinutes(2))).EnsureSuccess("tar -xzf");
            // Every account must reach the bundle's files, as under /opt.
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(into, (UnixFileMode)0b111_101_101);
            _unpacked = Path.Combine(into, $"iotsync-{Version}-linux-x64");
            return _unpacked;
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

    /// <summary>install.sh with <paramref name="arguments"/>, as root.</summary>
    public static async Task<CliRun> Install(params string[] arguments) =>
        await ProcessRunner.Run(["bash", Path.Combine(await Unpacked(), "install.sh"), .. arguments], TimeSpan.FromMinutes(3));

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

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionElement();
}
