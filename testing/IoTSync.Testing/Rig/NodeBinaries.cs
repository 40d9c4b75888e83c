namespace IoTSync.Testing.Rig;

/// <summary>
/// The built node executables beside this assembly's build: the same configuration and target
/// framework, found from the directory holding IoTSync.sln; and the dotnet host that runs them.
/// <see cref="Relay"/> is the native <c>iotsync-sync-relay</c> when it has been published (Native
/// AOT, by <c>./iotsync</c>), else its managed build, else null. <see cref="CommandRunner"/> is the
/// native <c>iotsync-command-runner</c> when it has been published, else null: the device node then
/// starts the managed one built beside it.
/// </summary>
public sealed record NodeBinaries(string Dotnet, string DeviceDll, string MirrorDll, string? Relay = null, string? CommandRunner = null)
{
    public static NodeBinaries Locate()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IoTSync.sln")))
            root = root.Parent;
        if (root is null)
            throw new InvalidOperationException($"no IoTSync.sln above {AppContext.BaseDirectory}");
        // This assembly sits in <project>/bin/<Configuration>/<tfm>/: the executables are built alongside.
        var (framework, configuration) = (here.Name, here.Parent!.Name);
        string Built(string project, params string[] file) => Path.Combine([root.FullName, project, "bin", configuration, framework, .. file]);
        string Find(string project, string dll)
        {
            var path = Built(project, dll);
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built");
        }
        var host = Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        var relay = new[] { Built("IoTSync.SyncRelay", "native", "iotsync-sync-relay"), Built("IoTSync.SyncRelay", "iotsync-sync-relay.dll") }.FirstOrDefault(File.Exists);
        var runner = Built("IoTSync.CommandRunner", "native", "iotsync-command-runner");
        return new NodeBinaries(host, Find("IoTSync.DeviceNode", "iotsync-device.dll"), Find("IoTSync.MirrorNode", "iotsync-mirror.dll"), relay,
            File.Exists(runner) ? runner : null);
    }

    /// <summary>The shipped HOCON files (copied beside each node executable).</summary>
    public string HoconDirectory => Path.Combine(Path.GetDirectoryName(MirrorDll)!, "hocon");

    /// <summary>What the device's sshd forces for the mirror's key: the native relay, the managed relay, or <c>iotsync-device sync-endpoint</c>.</summary>
    public string SyncEndpointKind =>
        Relay is null ? "iotsync-device sync-endpoint (managed)" : Relay.EndsWith(".dll", StringComparison.Ordinal) ? "iotsync-sync-relay (managed)" : "iotsync-sync-relay (native)";

    /// <summary>The forced command for a node on <paramref name="socket"/>, bounded by <paramref name="limit"/>: the file and its arguments.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) SyncEndpoint(string socket, TimeSpan limit) => Relay switch
    {
        null => (Dotnet, [DeviceDll, "sync-endpoint", "--socket", socket]),
        var dll when dll.EndsWith(".dll", StringComparison.Ordinal) => (Dotnet, [dll, "--socket", socket, "--limit-ms", Ms(limit)]),
        var native => (native, ["--socket", socket, "--limit-ms", Ms(limit)]),
    };

    private static string Ms(TimeSpan limit) => ((long)limit.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
