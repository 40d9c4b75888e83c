using System.Diagnostics;
using System.Net;
using IoTSync.Device;
using IoTSync.Device.Firewall;
using IoTSync.Tests.TestBed;
using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.TestBed;

/// <summary>
/// The window firewall's table in a device's namespace of the test bed, driven as the node drives it
/// (loaded, opened for the mirror, closed), with nft run inside the namespace; probed from the
/// mirror's namespace and from a stranger's on the same bridge. The device's sshd listens throughout.
/// </summary>
public sealed class WindowFirewallBedSpecs
{
    private static readonly TimeSpan Knock = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(300);
    private const int ClosedPort = 23;

    [SkippableFact]
    public async Task Should_let_only_the_mirror_through_while_open_and_nothing_at_all_while_closed()
    {
        await using var setup = await Setup.Start(TimeSpan.FromSeconds(30));
        var (bed, device, firewall) = (setup.Bed, setup.Device, setup.Firewall);

        await firewall.Down(CancellationToken.None);
        await AssertNothingFrom(bed.MirrorNamespace, device, "the mirror, closed");
        await AssertNothingFrom(bed.Stranger!.Namespace, device, "the stranger, closed");

        await firewall.Up(CancellationToken.None);
        var mirror = await NamespaceSockets.Knock(bed.MirrorNamespace, new IPEndPoint(device.Address, 22), TimeSpan.FromSeconds(2));
        Assert.Equal(KnockReply.Connected, mirror.Reply);
        Assert.StartsWith("SSH-2.0-", mirror.Banner, StringComparison.Ordinal);
        Assert.Equal(KnockReply.Reset, (await NamespaceSockets.Knock(bed.MirrorNamespace, new IPEndPoint(device.Address, ClosedPort), TimeSpan.FromSeconds(2))).Reply);
        // Open for the mirror, the device is still nothing to the stranger: no SYN-ACK, no reset, no banner.
        await AssertNothingFrom(bed.Stranger.Namespace, device, "the stranger, open for the mirror");

        await firewall.Down(CancellationToken.None);
        await AssertNothingFrom(bed.MirrorNamespace, device, "the mirror, closed again");
        // Closing twice (the element already gone) is no error.
        await firewall.Down(CancellationToken.None);
    }

    [SkippableFact]
    public async Task Should_let_the_mirrors_open_connection_finish_briefly_after_close_but_admit_no_new_one()
    {
        await using var setup = await Setup.Start(TimeSpan.FromSeconds(30));
        var (bed, device, firewall) = (setup.Bed, setup.Device, setup.Firewall);
        await firewall.Down(CancellationToken.None);
        await firewall.Up(CancellationToken.None);
        using var held = await NamespaceSockets.Connect(bed.MirrorNamespace, new IPEndPoint(device.Address, 22), CancellationToken.None);
        var buffer = new byte[4096];
        Assert.StartsWith("SSH-2.0-", System.Text.Encoding.ASCII.GetString(buffer, 0, await held.ReceiveAsync(buffer)), StringComparison.Ordinal);

        var closed = Stopwatch.StartNew();
        await firewall.Down(CancellationToken.None);
        // Within the linger the open connection still carries sshd's answer (its key exchange offer) ...
        await held.SendAsync("SSH-2.0-probe\r\n"u8.ToArray());
        using (var read = new CancellationTokenSource(Linger))
            Assert.True(await held.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, read.Token) > 0);
        // ... while a new connection from the mirror gets nothing.
        Assert.Equal(KnockReply.Nothing, (await NamespaceSockets.Knock(bed.MirrorNamespace, new IPEndPoint(device.Address, 22), Knock)).Reply);
        Assert.True(closed.Elapsed >= Linger, "the linger check ended before the linger");
        await AssertNothingFrom(bed.MirrorNamespace, device, "the mirror, after the linger");
    }

    [SkippableFact]
    public async Task Should_close_by_itself_at_the_window_limit_when_nobody_closes_it()
    {
        var limit = TimeSpan.FromSeconds(1.5);
        await using var setup = await Setup.Start(limit);
        var (bed, device, firewall) = (setup.Bed, setup.Device, setup.Firewall);
        await firewall.Down(CancellationToken.None);

        var opened = Stopwatch.StartNew();
        await firewall.Up(CancellationToken.None);
        // An open connection from the mirror is cut too at the limit, not only new ones refused.
        using var held = await NamespaceSockets.Connect(bed.MirrorNamespace, new IPEndPoint(device.Address, 22), CancellationToken.None);
        // Closed once three knocks in a row got nothing: one knock timing out on a loaded machine is not the kernel closing it.
        var (lastConnected, quietSince, quietKnocks) = (TimeSpan.Zero, TimeSpan.Zero, 0);
        await Polling.Until(async () =>
        {
            var at = opened.Elapsed;
            if ((await NamespaceSockets.Knock(bed.MirrorNamespace, new IPEndPoint(device.Address, 22), TimeSpan.FromMilliseconds(200))).Reply == KnockReply.Connected)
            {
                (lastConnected, quietKnocks) = (at, 0);
                return false;
            }
            if (quietKnocks++ == 0)
                quietSince = at;
            return quietKnocks >= 3;
        }, limit + TimeSpan.FromSeconds(5), "the kernel closing the window");

        // The stopwatch starts before the element is added (an nft process): a knock may begin just past the limit and still pass.
        Assert.InRange(lastConnected, TimeSpan.Zero, limit + TimeSpan.FromMilliseconds(200));
        Assert.True(quietSince >= limit - TimeSpan.FromMilliseconds(200), $"closed after {quietSince}, before the limit {limit}");
        await AssertNothingFrom(bed.MirrorNamespace, device, "the mirror, after the limit");
        held.Send("SSH-2.0-probe\r\n"u8);
        var buffer = new byte[64];
        using var read = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            // Whatever sshd answers is dropped on its way out: nothing arrives past the banner already read.
            while (true)
                if (await held.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, read.Token) == 0)
                    throw new InvalidOperationException("the connection closed: a FIN passed the firewall");
        });
        var set = (await NetnsTestBed.Exec(device.Namespace, ["nft", "list", "set", "inet", "iotsync", WindowFirewallRules.SetName])).EnsureSuccess();
        Assert.DoesNotContain(bed.MirrorAddress.ToString(), set.Stdout, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Should_replace_a_loaded_table_whole_and_open_and_close_in_process_in_a_few_milliseconds()
    {
        var probe = LibNftables.TryCreate(out var reason);
        Skip.If(probe is null, reason);
        probe.Dispose();
        TestBedRequirement.SkipUnlessAvailable();
        await using var bed = await NetnsTestBed.Create(1);
        var device = bed.Devices[0];
        var rules = WindowFirewallRules.For("iotsync", device.InterfaceName);

        // The node runs inside its namespace: here one thread enters it for the in-process library.
        var timings = await NamespaceThreads.Run(device.Namespace, () =>
        {
            using var nft = LibNftables.TryCreate(out _)!;
            var firewall = new WindowFirewall(nft, rules, bed.MirrorAddress, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(500));
            firewall.Load(CancellationToken.None).GetAwaiter().GetResult();
            firewall.Open(CancellationToken.None).GetAwaiter().GetResult();
            // Loading again replaces the table, the open window with it.
            firewall.Load(CancellationToken.None).GetAwaiter().GetResult();
            var clock = Stopwatch.StartNew();
            var laps = new List<double>();
            for (var i = 0; i < 20; i++)
            {
                clock.Restart();
                firewall.Open(CancellationToken.None).GetAwaiter().GetResult();
                firewall.Close(CancellationToken.None).GetAwaiter().GetResult();
                laps.Add(clock.Elapsed.TotalMilliseconds);
            }
            Assert.Throws<NftablesException>(() => nft.Run("delete table inet no_such_table\n", CancellationToken.None).GetAwaiter().GetResult());
            return laps;
        });

        var listed = (await NetnsTestBed.Exec(device.Namespace, ["nft", "list", "ruleset"])).EnsureSuccess().Stdout;
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(listed, "table inet iotsync"));
        var window = (await NetnsTestBed.Exec(device.Namespace, ["nft", "list", "set", "inet", "iotsync", WindowFirewallRules.SetName])).EnsureSuccess().Stdout;
        Assert.DoesNotContain("elements", window, StringComparison.Ordinal);
        timings.Sort();
        Assert.True(timings[timings.Count / 2] < 10, $"open and close took {timings[timings.Count / 2]:0.00} ms at the median");
    }

    private static async Task AssertNothingFrom(string ns, TestBedDevice device, string who)
    {
        foreach (var port in new[] { 22, ClosedPort })
        {
            var answer = await NamespaceSockets.Knock(ns, new IPEndPoint(device.Address, port), Knock);
            Assert.True(answer.Reply == KnockReply.Nothing, $"{who}: port {port} answered {answer.Reply} '{answer.Banner}'");
        }
    }

    /// <summary>A bed with a stranger, sshd in the device's namespace, and the firewall (over an always-up link) run by nft there.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup(NetnsTestBed bed, PrivateSshd sshd, FirewalledInterface firewall) => (Bed, Sshd, Firewall) = (bed, sshd, firewall);

        public NetnsTestBed Bed { get; }

        public PrivateSshd Sshd { get; }

        public TestBedDevice Device => Bed.Devices[0];

        public FirewalledInterface Firewall { get; }

        public static async Task<Setup> Start(TimeSpan limit)
        {
            TestBedRequirement.SkipUnlessAvailable(withSshd: true);
            Skip.If(ProcessRunner.Find("nft") is null, "nft not found (./iotsync test installs nftables)");
            var bed = await NetnsTestBed.Create(1, stranger: true);
            try
            {
                var device = bed.Devices[0];
                var sshd = await PrivateSshd.Start(_ => "/bin/true", bed.SshdFor(device));
                var nft = new NftProcess(["ip", "netns", "exec", device.Namespace]);
                var firewall = new FirewalledInterface(new AlwaysUpInterface(),
                    new WindowFirewall(nft, WindowFirewallRules.For("iotsync", device.InterfaceName), bed.MirrorAddress, limit, Linger));
                return new Setup(bed, sshd, firewall);
            }
            catch
            {
                await bed.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Sshd.DisposeAsync();
            await Bed.DisposeAsync();
        }
    }
}
