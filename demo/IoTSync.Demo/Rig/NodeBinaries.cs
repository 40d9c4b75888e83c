namespace IoTSync.Demo.Rig;

/// <summary>
/// The built node executables beside this assembly's build: the same configuration and target
/// framework, found from the directory holding IoTSync.sln; and the dotnet host that runs them.
/// </summary>
public sealed record NodeBinaries(string Dotnet, string DeviceDll, string MirrorDll)
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
        string Find(string project, string dll)
        {
            var path = Path.Combine(root.FullName, project, "bin", configuration, framework, dll);
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built");
        }
        var host = Environment.ProcessPath is { } process && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process : "dotnet";
        return new NodeBinaries(host, Find("IoTSync.DeviceNode", "iotsync-device.dll"), Find("IoTSync.MirrorNode", "iotsync-mirror.dll"));
    }

    /// <summary>The shipped HOCON files (copied beside each node executable).</summary>
    public string HoconDirectory => Path.Combine(Path.GetDirectoryName(MirrorDll)!, "hocon");
}
