using System.Text.Json;
using IoTSync.Testing.Processes;
using IoTSync.Tests.Nodes;
using IoTSync.Tests.TestBed;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// docs/DEPLOY.md followed as written, from the x64 bundle to a command each way: every block fenced
/// <c>```sh mirror</c>, <c>```sh device</c> or <c>```sh workstation</c> (<see cref="GuideSteps"/>) runs,
/// in order, as root on an <see cref="EmulatedMachine"/> of that name — its own accounts, /etc, /opt and
/// /var/lib, in the bed's namespaces — with only the guide's own variables set to the bed's values
/// (<see cref="Variables"/>). systemd's part is played by the machines' systemctl (units run as their
/// accounts with their capabilities; READY=1 awaited), and scp by the workstation's, which copies between
/// the machines' file systems. A step that fails fails the spec with its line in the guide.
/// </summary>
[Collection(DeployCollection.Name)]
public sealed class DeployGuideSpecs
{
    private const string DeviceId = "pump-7";
    /// <summary>The guide's accounts (install.sh's default prefix), which other specs on this host also use.</summary>
    private const string AccountPrefix = "iotsync-";
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(4);

    [Fact]
    public void Should_have_steps_for_each_machine_in_both_modes()
    {
        var steps = GuideSteps.Parse(File.ReadAllText(GuidePath));
        foreach (var mode in GuideStep.AllModes)
            foreach (var machine in new[] { "mirror", "device", "workstation" })
                Assert.Contains(steps, s => s.Machine == machine && s.IsFor(mode));
        Assert.DoesNotContain(steps, s => s.Machine == "local");
    }

    [SkippableTheory]
    [InlineData("direct")]
    [InlineData("reverse")]
    public async Task Should_take_a_reader_from_the_bundle_to_a_command_each_way(string mode)
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        InstalledBundle.SkipUnlessInstallable();
        var steps = GuideSteps.Parse(File.ReadAllText(GuidePath)).Where(s => s.IsFor(mode)).ToList();
        var archive = InstalledBundle.Archive("linux-x64");
        await InstalledBundle.Unpacked();

        // Reverse: the device on a private network behind a masquerading router, which the mirror cannot reach.
        await using var bed = await NetnsTestBed.Create(1, behindNat: mode == "reverse");
        var deviceNamespace = bed.Devices[0].Namespace;
        var (mirrorHost, deviceHost) = (bed.MirrorAddress.ToString(), bed.Devices[0].Address.ToString());
        await using var mirror = await EmulatedMachine.Start("mirror", bed.MirrorNamespace);
        await using var device = await EmulatedMachine.Start("device", deviceNamespace);
        await using var workstation = await EmulatedMachine.Start("workstation", bed.MirrorNamespace);
        foreach (var machine in new[] { mirror, device })
            await machine.ForgetAccounts(AccountPrefix);
        // The workstation is where ./iotsync publish ran: dist/ holds the bundle.
        Directory.CreateDirectory(Path.Combine(workstation.Home, "dist"));
        File.Copy(archive, Path.Combine(workstation.Home, "dist", Path.GetFileName(archive)));

        var variables = Variables(mirrorHost, deviceHost);
        variables["EMULATED_HOSTS"] = $"{mirrorHost}={mirror.Pid}:{mirror.Home} {deviceHost}={device.Pid}:{device.Home}";
        var machines = new Dictionary<string, EmulatedMachine> { ["mirror"] = mirror, ["device"] = device, ["workstation"] = workstation };
        var transcript = new List<string>();
        foreach (var step in steps)
        {
            var run = await machines[step.Machine].Run(step.Script, variables, StepTimeout);
            transcript.Add($"## {step}\n{run}");
            Assert.True(run.Succeeded, $"{step}\nfailed: {run}\n\n{Journal(mirror, device)}");
            if (step.Prints is { } name)
            {
                var printed = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                Assert.True(printed.Length > 0, $"{step}\nprinted nothing for {name}");
                variables[name] = printed[^1];
            }
        }

        // What the guide's steps did, seen from the mirror: the mirror's command and its result (which its
        // exec --wait printed), and the device's own command with its result, which reach the mirror in the
        // window after the device ran it.
        var view = await NodeRig.Poll("the device's command and both results at the mirror", async () =>
        {
            var state = await mirror.Run($"iotsync-mirror state --device {DeviceId} --json", variables);
            Assert.True(state.Succeeded, state.ToString());
            using var json = JsonDocument.Parse(state.Stdout);
            var seen = json.RootElement.GetProperty("view").Clone();
            return seen.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3 ? seen : (JsonElement?)null;
        });
        Assert.Equal(1, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        var entries = await mirror.Run($"iotsync-mirror journal show {DeviceId}", variables);
        Assert.True(entries.Succeeded, entries.ToString());
        Assert.Contains("hostname", entries.Stdout);
        Assert.Contains("uname", transcript.Last(t => t.Contains("iotsync-mirror exec", StringComparison.Ordinal)));
    }

    /// <summary>
    /// The README's "by hand" steps (fenced <c>```sh local</c>), followed on one machine: both nodes
    /// installed from the x64 bundle, the mirror dialling the machine's own sshd, a command each way.
    /// </summary>
    [SkippableFact]
    public async Task Should_take_a_reader_of_the_readme_through_both_nodes_on_one_machine()
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        InstalledBundle.SkipUnlessInstallable();
        var steps = GuideSteps.Parse(File.ReadAllText(Path.Combine(InstalledBundle.RepositoryRoot, "README.md")));
        Assert.NotEmpty(steps);
        Assert.All(steps, s => Assert.Equal("local", s.Machine));
        var archive = InstalledBundle.Archive("linux-x64");
        await InstalledBundle.Unpacked();

        await using var bed = await NetnsTestBed.Create(0);
        await using var local = await EmulatedMachine.Start("local", bed.MirrorNamespace);
        await local.ForgetAccounts(AccountPrefix);
        // The reader is in a clone where ./iotsync publish ran: dist/ holds the bundle.
        Directory.CreateDirectory(Path.Combine(local.Home, "dist"));
        File.Copy(archive, Path.Combine(local.Home, "dist", Path.GetFileName(archive)));
        var variables = new Dictionary<string, string> { ["VERSION"] = InstalledBundle.Version };
        CliRun? last = null;
        foreach (var step in steps)
        {
            last = await local.Run(step.Script, variables, StepTimeout);
            Assert.True(last.Succeeded, $"README.md {step}\nfailed: {last}\n\n{Journal(local, local)}");
        }
        // The last step waited for the mirror's command: uname's output came back from the device node.
        Assert.Contains("Linux", last!.Stdout);
        var exec = await local.Run("iotsync-device exec -- hostname", variables);
        Assert.True(exec.Succeeded, exec.ToString());
        await NodeRig.Poll("the device node's own command at the mirror", async () =>
        {
            var shown = await local.Run("iotsync-mirror journal show pump-7", variables);
            return shown.Succeeded && shown.Stdout.Contains("hostname", StringComparison.Ordinal) ? true : (bool?)null;
        });
    }

    /// <summary>The guide's variables (its "Names used below"), set to this bed's values.</summary>
    private static Dictionary<string, string> Variables(string mirrorHost, string deviceHost) => new()
    {
        ["VERSION"] = InstalledBundle.Version,
        // The bed runs x64; the arm64 bundle is proven by InstalledNodesBedSpecs under qemu.
        ["RID"] = "linux-x64",
        ["MIRROR_HOST"] = mirrorHost,
        ["DEVICE_HOST"] = deviceHost,
        ["DEVICE_ID"] = DeviceId,
        ["PERIOD"] = "4s",
        ["WINDOW_LIMIT"] = "3s",
    };

    private static string Journal(EmulatedMachine mirror, EmulatedMachine device)
    {
        string Log(EmulatedMachine machine, string unit) =>
            File.Exists(machine.HostPath($"/var/log/iotsync-emulated/{unit}.service.log"))
                ? $"--- {machine.Name} {unit}:\n{string.Join('\n', File.ReadLines(machine.HostPath($"/var/log/iotsync-emulated/{unit}.service.log")).TakeLast(60))}"
                : $"--- {machine.Name} {unit}: no log";
        return $"{Log(mirror, "iotsync-mirror")}\n{Log(device, "iotsync-device")}";
    }

    private static string GuidePath => Path.Combine(InstalledBundle.RepositoryRoot, "docs", "DEPLOY.md");
}
