using System.Text.Json;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using IoTSync.Tests.TestBed;
using Xunit;

namespace IoTSync.Tests.Fleet;

/// <summary>
/// The fleet simulator (<c>iotsync-fleet</c>, a real process) against a real mirror node and the mirror host's
/// real sshd on loopback: twenty simulated devices, each enrolled in reverse mode through the API with its own
/// keys and certificate, for about three cycles, heartbeats over shared mutual-TLS associations (each system
/// presents one device's certificate and carries five devices' heartbeats, each with its own MAC), half the
/// devices with commands left at the mirror each cycle and one of their own. Its check compares every
/// device's own view with the mirror's through the API.
/// </summary>
[Collection(Deploy.DeployCollection.Name)]
public sealed class FleetSimulatorSpecs
{
    private const int Devices = 20;

    [SkippableFact]
    public async Task Should_converge_every_simulated_device_with_the_mirror_and_deliver_each_command_once()
    {
        TestBedRequirement.SkipUnlessSshd();
        var binaries = NodeBinaries.Locate();
        var fleet = FleetDll();
        Assert.True(File.Exists(fleet), $"{fleet} is not built");
        var directory = Directory.CreateTempSubdirectory("iotsync-fleet-spec-").FullName;
        try
        {
            var report = Path.Combine(directory, "fleet.json");
            // The process tree (the simulator, its mirror node and sshd) is killed when it outlives the limit.
            var run = await ProcessRunner.Run([binaries.Dotnet, fleet, "--local-mirror", "--keep", Path.Combine(directory, "run"), "--devices", $"{Devices}",
                "--cycle", "3", "--window-limit", "2.5", "--duration", "8", "--work-fraction", "0.5", "--commands-per-window", "2",
                "--associations", "shared:4", "--check", "--json", report], TimeSpan.FromMinutes(3));
            var said = $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}";
            Assert.True(run.ExitCode == 0, said);
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report));
            var root = json.RootElement;
            var check = root.GetProperty("check");
            Assert.True(check.GetProperty("converged").GetInt32() == Devices, said);
            var left = check.GetProperty("commandsLeft").GetInt32();
            Assert.True(left > 0, said);
            Assert.Equal(left, check.GetProperty("resultedOnce").GetInt32());
            Assert.Equal(left, check.GetProperty("ranOnce").GetInt32());
            Assert.True(check.GetProperty("localCommands").GetInt32() > 0, said);
            Assert.Equal(check.GetProperty("localCommands").GetInt32(), check.GetProperty("localCommandsOnce").GetInt32());
            Assert.Equal(0, check.GetProperty("openAtMirror").GetInt32());
            Assert.True(root.GetProperty("errors").EnumerateObject().Count() == 0, said);
            Assert.True(root.GetProperty("mirrorRefusals").EnumerateObject().Count() == 0, said);
            // What the senders refused can only be a late answer to a heartbeat sent again (its MAC is checked all the same).
            Assert.All(root.GetProperty("senderRefusals").EnumerateObject(), refusal => Assert.Equal("mirror-answer-refused", refusal.Name));
            // Every device had a window answered in each measured cycle; the syncs carried the work.
            Assert.True(root.GetProperty("heartbeatsAnswered").GetInt64() >= 2 * Devices, said);
            Assert.True(root.GetProperty("syncs").GetInt64() > 0, said);
            Assert.Equal("shared:4", root.GetProperty("associations").GetString());
            Assert.True(root.GetProperty("mirrorProcess").GetProperty("rssBytes").GetInt64() > 0, said);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The simulator built beside this assembly: the same configuration and target framework.</summary>
    private static string FleetDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "IoTSync.sln")))
            root = root.Parent;
        return Path.Combine(root?.FullName ?? throw new InvalidOperationException($"no IoTSync.sln above {here}"),
            "bench", "IoTSync.Fleet", "bin", here.Parent!.Name, here.Name, "iotsync-fleet.dll");
    }
}
