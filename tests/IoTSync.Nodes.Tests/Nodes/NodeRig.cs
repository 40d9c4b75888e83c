using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing.Rig;
using IoTSync.Tests.TestBed;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A <see cref="Deployment"/> in a temp directory for one test — the real executables, a real
/// sshd on loopback, real SQLite files — deleted afterwards (kept when the test failed is not
/// needed: its logs are in the assertion messages).
/// </summary>
public sealed partial class NodeRig : IAsyncDisposable
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    private NodeRig(Deployment deployment, string directory, NetnsTestBed? bed = null)
    {
        Deployment = deployment;
        Directory = directory;
        Bed = bed;
    }

    public Deployment Deployment { get; }

    /// <summary>The network-namespace test bed the nodes run in (<see cref="CreateInBed"/>), or null when all is on loopback.</summary>
    public NetnsTestBed? Bed { get; }

    /// <summary>The bed's one device (<see cref="CreateInBed"/> only).</summary>
    public TestBedDevice BedDevice => Bed?.Devices[0] ?? throw new InvalidOperationException("not in a test bed");

    public string Directory { get; }

    /// <summary>A file device commands append to, to count how often they really ran.</summary>
    public string RunsFile => Path.Combine(Directory, "runs.txt");

    public static async Task<NodeRig> Create(DeploymentOptions? options = null)
    {
        TestBedRequirement.SkipUnlessSshd();
        var directory = System.IO.Directory.CreateTempSubdirectory("iotsync-nodes-").FullName;
        try
        {
            return new NodeRig(await Deployment.Create(directory, NodeBinaries.Locate(), options ?? new DeploymentOptions()), directory);
        }
        catch
        {
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A <see cref="Deployment"/> on a <see cref="NetnsTestBed"/> with one device: the mirror node in
    /// the mirror's namespace, the device's sshd and node (toggler <c>ip</c> on its <c>eth0</c>) in
    /// the device's; the nodes and sshd's sessions as their own accounts (<see cref="NodeUsers"/>).
    /// Skips (fails in CI as root) where the bed or sshd cannot run.
    /// <paramref name="networkMode"/> is the device's mode (<c>ip</c> or <c>nft</c>); <paramref name="stranger"/>
    /// adds the bed's <see cref="NetnsTestBed.Stranger"/>.
    /// </summary>
    public static Task<NodeRig> CreateInBed(DeploymentOptions options, string networkMode = "ip", bool stranger = false) =>
        InNewBed("iotsync-bed-", () => NetnsTestBed.Create(1, stranger: stranger), bed => options with
        {
            // As installed: the device node its own user with CAP_NET_ADMIN alone, the mirror unprivileged, sessions as the sync account.
            Network = bed.NetworkFor(bed.Devices[0]) with { Mode = networkMode },
            Users = options.Users ?? (NodeUsers.CanRun ? NodeUsers.Default : null),
        });

    /// <summary>
    /// Reverse mode on a <see cref="NetnsTestBed"/> whose one device sits behind a masquerading router
    /// (<see cref="NetnsTestBed.Router"/>): the mirror node and the mirror host's sshd in the mirror's
    /// namespace, the device node (window firewall alone, mode <c>nft</c>: its link keeps its default route)
    /// in the device's, which the mirror has no route to. The nodes run as this process's user.
    /// </summary>
    public static Task<NodeRig> CreateBehindNat(DeploymentOptions options) =>
        InNewBed("iotsync-nat-", () => NetnsTestBed.Create(1, behindNat: true), bed => options with
        {
            Reverse = true,
            Network = bed.NetworkFor(bed.Devices[0]) with { Mode = "nft" },
        });

    /// <summary>A rig on a bed of its own, which goes with the rig; on a failure to make it, nothing is left behind.</summary>
    private static async Task<NodeRig> InNewBed(string directoryPrefix, Func<Task<NetnsTestBed>> createBed, Func<NetnsTestBed, DeploymentOptions> optionsFor)
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        var directory = System.IO.Directory.CreateTempSubdirectory(directoryPrefix).FullName;
        NetnsTestBed? bed = null;
        try
        {
            bed = await createBed();
            var deployment = await Deployment.Create(directory, NodeBinaries.Locate(), optionsFor(bed));
            var rig = new NodeRig(deployment, directory, bed);
            // The device's commands may run as the device node's user: they may append to the runs file, nothing else here.
            await File.WriteAllTextAsync(rig.RunsFile, "");
            if (!OperatingSystem.IsWindows())
                File.SetUnixFileMode(rig.RunsFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite
                                               | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
            return rig;
        }
        catch
        {
            if (bed is not null)
                await bed.DisposeAsync();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>A device command that leaves a trace each time it runs: <c>sh -c 'echo LABEL >> runs.txt'</c>.</summary>
    public string[] Traced(string label) => ["sh", "-c", $"echo {label} >> {RunsFile}"];

    public int Runs(string label) => File.Exists(RunsFile) ? File.ReadAllLines(RunsFile).Count(l => l == label) : 0;

    /// <summary>Leaves a command at the mirror; its sequence in the mirror log.</summary>
    public async Task<long> LeaveAtMirror(string[] argv, string? expiresIn = null)
    {
        string[] options = expiresIn is null ? ["--device", Deployment.DeviceId] : ["--device", Deployment.DeviceId, "--expires-in", expiresIn];
        var left = await Deployment.MirrorJson(["exec", .. options, "--", .. argv]);
        return left.GetProperty("sequence").GetInt64();
    }

    /// <summary>Waits for the mirror command's result at the mirror; the result in the <c>result --json</c> document (outcome, exitCode, output, ...).</summary>
    public async Task<JsonElement> AwaitResult(long sequence) =>
        await Poll($"a result for mirror command {sequence}", async () =>
        {
            var status = await Deployment.CommandResult(sequence);
            return status.GetProperty("status").GetString() == "resolved" ? status.GetProperty("result") : (JsonElement?)null;
        });

    /// <summary>Waits until both sides hold the same two logs and the same digest; that view.</summary>
    public async Task<JsonElement> AwaitConverged(Func<JsonElement, bool>? until = null) =>
        await Poll("both sides holding the same logs and digest", async () =>
        {
            var mirror = (await Deployment.MirrorJson("state", "--device", Deployment.DeviceId)).GetProperty("view");
            var device = (await Deployment.DeviceJson("status")).GetProperty("view");
            return mirror.GetRawText() == device.GetRawText() && (until?.Invoke(mirror) ?? true) ? mirror : (JsonElement?)null;
        });

    /// <summary>The device's journal as <c>journal show --json</c> prints it (read-only, beside the running node).</summary>
    public async Task<IReadOnlyList<JsonElement>> DeviceJournal()
    {
        var shown = (await Deployment.DeviceCli(["journal", "show", Deployment.DeviceId, "--json", "--limit", "100000"])).EnsureSuccess("journal show");
        return [.. shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    /// <summary>Result entries in the device log for mirror command <paramref name="sequence"/>.</summary>
    public async Task<IReadOnlyList<JsonElement>> ResultsFor(long sequence) =>
        [.. (await DeviceJournal()).Where(e => e.GetProperty("kind").GetString() == "result"
                                              && e.GetProperty("target").GetProperty("log").GetString() == "mirror"
                                              && e.GetProperty("target").GetProperty("sequence").GetInt64() == sequence)];

    /// <summary>The mirror's finished sessions so far: entries pushed and pulled in each.</summary>
    public IReadOnlyList<(int Pushed, int Pulled, string Line)> MirrorSessions() =>
        [.. SessionDone().Matches(Deployment.Mirror?.Output ?? "").Select(m => (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), m.Value))];

    [GeneratedRegex(@"session \w+ done in \d+ ms: .*?pushed (\d+), pulled (\d+)")]
    private static partial Regex SessionDone();

    public static Task<T> Poll<T>(string what, Func<Task<T?>> probe) where T : struct => Polling.Until(what, Deadline, probe);

    /// <summary>Node logs for an assertion message.</summary>
    public string Logs() =>
        $"--- mirror:\n{Deployment.Mirror?.Tail(40)}\n--- device:\n{Deployment.Device?.Tail(40)}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Deployment.DisposeAsync();
        }
        finally
        {
            if (Bed is not null)
                await Bed.DisposeAsync();
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A node's last write racing the delete; the temp directory goes with the machine.
        }
    }
}
