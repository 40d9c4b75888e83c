using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using IoTSync.Device;
using IoTSync.TestBed;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.TestBed;

/// <summary>The network-namespace test bed, through real namespaces, veths, a bridge and sshd (root only).</summary>
public sealed class NetnsTestBedSpecs(ITestOutputHelper output)
{
    private static readonly TimeSpan Probe = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Eventually = TimeSpan.FromSeconds(15);

    [SkippableFact]
    public async Task Should_let_the_mirror_reach_a_device_sshd_only_while_the_device_link_is_up()
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        await using var bed = await NetnsTestBed.Create(2);
        var device = bed.Devices[0];
        await using var sshd = await PrivateSshd.Start(_ => "/bin/true", bed.SshdFor(device));

        Assert.True(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, bed.Devices[1].Address, 22, Probe), "nothing listens on the other device");

        await NetnsTestBed.SetLink(device.Namespace, device.InterfaceName, up: false);
        Assert.False(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe), "reached the device's sshd with its link down");

        await NetnsTestBed.SetLink(device.Namespace, device.InterfaceName, up: true);
        Assert.True(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        await Polling.Until(() => NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe), Eventually,
            "the mirror reaching the device's sshd again");
    }

    [SkippableFact]
    public async Task Should_run_the_forced_command_over_ssh_from_the_mirror_and_refuse_the_key_from_another_address()
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        await using var bed = await NetnsTestBed.Create(2);
        var device = bed.Devices[0];
        await using var sshd = await PrivateSshd.Start(_ => "echo synced over the bridge", bed.SshdFor(device));
        var knownHosts = sshd.PathOf("known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"{device.Address} {await File.ReadAllTextAsync(sshd.PathOf("host_key.pub"))}");
        string[] ssh =
        [
            "ssh", "-F", "/dev/null", "-i", sshd.ClientKeyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
            $"{PrivateSshd.User}@{device.Address}", "anything",
        ];

        var fromMirror = await NetnsTestBed.Exec(bed.MirrorNamespace, ssh, TimeSpan.FromSeconds(30));
        var fromOtherDevice = await NetnsTestBed.Exec(bed.Devices[1].Namespace, ssh, TimeSpan.FromSeconds(30));

        Assert.True(fromMirror.Succeeded, fromMirror.Stderr);
        Assert.Equal("synced over the bridge", fromMirror.Stdout.Trim());
        Assert.False(fromOtherDevice.Succeeded);
        Assert.DoesNotContain("synced", fromOtherDevice.Stdout, StringComparison.Ordinal);
        await sshd.WaitForLog(new Regex($@"not from a permitted host \(host={Regex.Escape(bed.Devices[1].Address.ToString())}"));
    }

    [SkippableFact]
    public async Task Should_give_each_node_its_address_and_leave_the_root_namespace_without_any_of_the_bed()
    {
        TestBedRequirement.SkipUnlessAvailable();
        await using var bed = await NetnsTestBed.Create(2);

        Assert.Equal(["10.231.87.1/24"], await Global(bed.MirrorNamespace));
        Assert.Equal(["10.231.87.11/24"], await Global(bed.Devices[0].Namespace));
        Assert.Equal(["10.231.87.12/24"], await Global(bed.Devices[1].Namespace));
        Assert.Empty(await Global(bed.BridgeNamespace));
        Assert.DoesNotContain(await NetnsTestBed.Addresses(null), address => address.StartsWith("10.231.87.", StringComparison.Ordinal));
        var rootLinks = (await Run("ip", "-o", "link", "show")).Stdout;
        Assert.DoesNotContain(NetnsTestBed.Bridge + ":", rootLinks, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex(@"^\d+: (vm|vd\d+)[@:]", RegexOptions.Multiline), rootLinks);
        var bridgePorts = (await Run("ip", "-n", bed.BridgeNamespace, "-o", "link", "show", "master", NetnsTestBed.Bridge)).Stdout;
        Assert.Equal(["vd1", "vd2", "vm"], Regex.Matches(bridgePorts, @"^\d+: (\w+)@", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order());
    }

    [SkippableFact]
    public async Task Should_delete_every_namespace_of_the_run_and_kill_what_runs_inside_on_dispose()
    {
        TestBedRequirement.SkipUnlessAvailable();
        var created = Stopwatch.StartNew();
        var bed = await NetnsTestBed.Create(2);
        created.Stop();
        var tracked = bed.StartProcess(bed.Devices[0].Namespace, "sleep", ["600"]);
        using var stray = Process.Start("ip", ["netns", "exec", bed.Devices[1].Namespace, "sleep", "600"]);
        await Polling.Until(async () => (await NetnsTestBed.ProcessesIn(bed.Devices[1].Namespace)).Count == 1, Eventually, "the stray sleep starting");

        var disposed = Stopwatch.StartNew();
        await bed.DisposeAsync();
        disposed.Stop();

        Assert.DoesNotContain(await NetnsTestBed.ListNamespaces(), name => name.StartsWith(bed.Prefix, StringComparison.Ordinal));
        Assert.True(tracked.HasExited);
        Assert.True(stray.WaitForExit(TimeSpan.FromSeconds(10)), "a process the test did not hand to the bed outlived it");
        output.WriteLine($"2 devices: created in {created.ElapsedMilliseconds} ms, torn down in {disposed.ElapsedMilliseconds} ms");
    }

    [SkippableFact]
    public async Task Should_remove_the_namespaces_of_a_dead_run_and_keep_those_of_a_live_one()
    {
        TestBedRequirement.SkipUnlessAvailable();
        // No process can have the id pid_max: ids stay below it.
        var deadPid = int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture);
        var dead = $"{NetnsTestBed.BasePrefix}{deadPid}-x";
        var live = $"{NetnsTestBed.BasePrefix}{Environment.ProcessId}-keep{Random.Shared.Next(1000, 9999)}";
        try
        {
            (await Run("ip", "netns", "add", dead)).EnsureSuccess();
            (await Run("ip", "netns", "add", live)).EnsureSuccess();
            using var left = Process.Start("ip", ["netns", "exec", dead, "sleep", "600"]);
            await Polling.Until(async () => (await NetnsTestBed.ProcessesIn(dead)).Count == 1, Eventually, "the leftover's sleep starting");

            await using var bed = await NetnsTestBed.Create(1);

            var names = await NetnsTestBed.ListNamespaces();
            Assert.DoesNotContain(dead, names);
            Assert.Contains(live, names);
            Assert.True(left.WaitForExit(TimeSpan.FromSeconds(10)), "the leftover namespace's process survived the cleanup");
        }
        finally
        {
            await Run("ip", "netns", "del", dead);
            await Run("ip", "netns", "del", live);
        }
    }

    [SkippableFact]
    public async Task Should_remove_what_it_made_when_creation_is_cut_short()
    {
        TestBedRequirement.SkipUnlessAvailable();
        foreach (var after in new[] { 0, 15, 40, 80 })
        {
            // Its own prefix: other specs' beds may come and go meanwhile.
            var ours = NetnsTestBed.NewPrefix();
            using var cut = new CancellationTokenSource(TimeSpan.FromMilliseconds(after));
            try
            {
                await (await NetnsTestBed.Create(3, cut.Token, prefix: ours)).DisposeAsync();
                output.WriteLine($"cut after {after} ms: created in full");
            }
            catch (OperationCanceledException e)
            {
                // Cut short: what it made must be gone all the same.
                output.WriteLine($"cut after {after} ms: {e.StackTrace?.Split('\n').FirstOrDefault(line => line.Contains("NetnsTestBed.", StringComparison.Ordinal))?.Trim()}");
            }

            Assert.DoesNotContain(await NetnsTestBed.ListNamespaces(), name => name.StartsWith(ours, StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task Should_capture_a_started_process_and_kill_its_whole_process_group()
    {
        TestBedRequirement.SkipUnlessAvailable();
        await using var bed = await NetnsTestBed.Create(1);
        var ns = bed.Devices[0].Namespace;

        // "(sleep &)" orphans the sleep: only the process group still ties it to what was started.
        var process = bed.StartProcess(ns, "/bin/sh",
            ["-c", "ip -o -4 addr show dev eth0; echo \"mark=$IOTS_MARK\"; echo to-stderr >&2; (sleep 600 &); sleep 600 & echo started; wait"],
            new Dictionary<string, string> { ["IOTS_MARK"] = "x1" });
        await process.WaitForOutput(new Regex("^started$", RegexOptions.Multiline), Eventually);
        await Polling.Until(async () => (await NetnsTestBed.ProcessesIn(ns)).Count == 3, Eventually, "sh and its two sleeps running");

        Assert.Contains("10.231.87.11/24", process.Output, StringComparison.Ordinal);
        Assert.Contains("mark=x1", process.Output, StringComparison.Ordinal);
        Assert.Equal("to-stderr", process.Errors.Trim());

        process.Kill();

        await Polling.Until(async () => (await NetnsTestBed.ProcessesIn(ns)).Count == 0, Eventually, "every process of the group ending");
        Assert.Equal(137, await process.WaitForExit(Eventually));
    }

    [SkippableFact]
    public async Task Should_bound_a_command_run_in_a_namespace_and_kill_it_when_it_overruns()
    {
        TestBedRequirement.SkipUnlessAvailable();
        await using var bed = await NetnsTestBed.Create(1);
        var ns = bed.Devices[0].Namespace;
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TimeoutException>(() => NetnsTestBed.Exec(ns, ["sleep", "60"], TimeSpan.FromMilliseconds(300)));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        await Polling.Until(async () => (await NetnsTestBed.ProcessesIn(ns)).Count == 0, Eventually, "the overrunning command ending");
        var shown = (await NetnsTestBed.Exec(ns, ["ip", "-o", "-4", "addr", "show", "dev", "eth0"])).EnsureSuccess();
        Assert.Contains("10.231.87.11/24", shown.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Should_let_the_ip_toggler_take_a_device_link_down_and_up_and_say_when_it_is_usable()
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        await using var bed = await NetnsTestBed.Create(1);
        var device = bed.Devices[0];
        await using var sshd = await PrivateSshd.Start(_ => "/bin/true", bed.SshdFor(device));
        // The device node runs inside its namespace; here the toggler's commands are put there.
        var link = new IpLinkInterface(device.InterfaceName, ["ip", "netns", "exec", device.Namespace]);

        await link.Down(CancellationToken.None);
        Assert.False(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        Assert.False(await link.IsUsable(CancellationToken.None));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe));

        await link.Up(CancellationToken.None);
        await Polling.Until(() => link.IsUsable(CancellationToken.None), Eventually, "the link becoming usable");
        Assert.True(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        await Polling.Until(() => NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe), Eventually,
            "the mirror reaching the device's sshd");

        await link.Down(CancellationToken.None);
        Assert.False(await link.IsUsable(CancellationToken.None));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe));
    }

    [SkippableFact]
    public async Task Should_let_the_in_process_ip_toggler_take_a_device_link_down_and_up_and_say_when_it_is_usable()
    {
        TestBedRequirement.SkipUnlessAvailable(withSshd: true);
        await using var bed = await NetnsTestBed.Create(1);
        var device = bed.Devices[0];
        await using var sshd = await PrivateSshd.Start(_ => "/bin/true", bed.SshdFor(device));
        // The device node runs inside its namespace: here one thread enters it for each step.
        var link = new IoctlLinkInterface(device.InterfaceName);
        Task<T> Inside<T>(Func<Task<T>> step) => NamespaceThreads.Run(device.Namespace, () => step().GetAwaiter().GetResult());
        Task Set(bool up) => Inside(async () =>
        {
            await (up ? link.Up(CancellationToken.None) : link.Down(CancellationToken.None));
            return true;
        });

        await Set(up: false);
        Assert.False(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        Assert.False(await Inside(() => link.IsUsable(CancellationToken.None)));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe));

        await Set(up: true);
        await Polling.Until(() => Inside(() => link.IsUsable(CancellationToken.None)), Eventually, "the link becoming usable");
        Assert.True(await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName));
        await Polling.Until(() => NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe), Eventually,
            "the mirror reaching the device's sshd");

        await Set(up: false);
        Assert.False(await Inside(() => link.IsUsable(CancellationToken.None)));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, Probe));
        // An interface the namespace does not have is a clear error, not a silent success.
        var missing = new IoctlLinkInterface("nosuch0");
        await Assert.ThrowsAsync<IOException>(() => NamespaceThreads.Run(device.Namespace, () => missing.Up(CancellationToken.None)));
    }

    private static async Task<IReadOnlyList<string>> Global(string ns) =>
        [.. (await NetnsTestBed.Addresses(ns)).Where(address => !address.StartsWith("127.", StringComparison.Ordinal))];

    private static Task<CliRun> Run(params string[] argv) => ProcessRunner.Run(argv);
}

public sealed class TestBedRequirementSpecs
{
    [Theory]
    [InlineData(null, false, false, TestBedVerdict.Run)]
    [InlineData(null, true, true, TestBedVerdict.Run)]
    [InlineData("no ip", false, true, TestBedVerdict.Skip)]
    [InlineData("not root", true, false, TestBedVerdict.Skip)]
    [InlineData("ip netns add fails", true, true, TestBedVerdict.Fail)]
    public void Should_skip_an_unavailable_bed_with_its_reason_but_fail_it_in_ci_as_root(string? reason, bool ci, bool root, TestBedVerdict verdict) =>
        Assert.Equal(verdict, TestBedRequirement.Decide(reason, ci, root));

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Should_recognise_ci_by_ci_equals_true(string? value, bool ci) =>
        Assert.Equal(ci, TestBedRequirement.IsCi(value));
}
