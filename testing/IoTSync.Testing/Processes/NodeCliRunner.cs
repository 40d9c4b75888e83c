using System.Security.Cryptography;
using IoTSync.Testing.Rig;

namespace IoTSync.Testing.Processes;

/// <summary>
/// Runs the real built node executables (<c>iotsync-mirror.dll</c>, <c>iotsync-device.dll</c>) as
/// child processes, found by <see cref="NodeBinaries"/>, in a temp working directory and without
/// the caller's <c>IOTSYNC_*</c> overrides. A run that outlives its deadline is killed with its
/// process tree.
/// </summary>
public static class NodeCliRunner
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<NodeBinaries> Binaries = new(NodeBinaries.Locate);

    public static string Mirror => Binaries.Value.MirrorDll;

    public static string Device => Binaries.Value.DeviceDll;

    public static Task<CliRun> RunMirror(params string[] args) => Run(Mirror, args);

    public static Task<CliRun> RunDevice(params string[] args) => Run(Device, args);

    public static Task<CliRun> Run(string dll, IEnumerable<string> args, string? workingDirectory = null,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? dotnet = null)
    {
        // The node's own overrides would point the tool elsewhere than the caller says.
        var variables = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(name => name.StartsWith("IOTSYNC_", StringComparison.Ordinal))
            .ToDictionary(name => name, string? (_) => null);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            variables[name] = value;
        return ProcessRunner.Run([dotnet ?? Binaries.Value.Dotnet, dll, .. args], timeout ?? DefaultTimeout, environment: variables,
            workingDirectory: workingDirectory ?? Path.GetTempPath());
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
