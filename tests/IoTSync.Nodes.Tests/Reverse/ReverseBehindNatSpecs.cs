using System.Net;
using System.Text.RegularExpressions;
using IoTSync.Mirror.Ssh;
using IoTSync.Sync;
using IoTSync.TestBed;
using IoTSync.Testing.Rig;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Reverse;

/// <summary>
/// Reverse mode where it is needed: the device on a private network behind a masquerading router
/// namespace, which the mirror cannot reach at all. The device dials the mirror host's sshd in its
/// window; commands go both ways; a crash mid-session converges with nothing lost or doubled; a mirror
/// host whose key is not the pinned one is refused by the device, and a device's key used for another
/// device's id is refused by the mirror; and nothing on the device listens on a network address.
/// </summary>
[Collection(Deploy.DeployCollection.Name)]
public sealed partial class ReverseBehindNatSpecs
{
    private static DeploymentOptions Options => new() { Period = TimeSpan.FromSeconds(3), WindowLimit = TimeSpan.FromMilliseconds(2500) };

    [SkippableFact]
    public async Task Should_sync_both_ways_from_behind_nat_where_the_mirror_cannot_reach_the_device()
    {
        await using var rig = await NodeRig.CreateBehindNat(Options);
        var (deployment, bed, device) = (rig.Deployment, rig.Bed!, rig.BedDevice);
        // The bed as a home router makes it: the device reaches the mirror host, the mirror reaches nothing of the device.
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, 22, TimeSpan.FromSeconds(1)));
        Assert.False(await NetnsTestBed.CanConnect(bed.MirrorNamespace, device.Address, deployment.MirrorPort, TimeSpan.FromSeconds(1)));
        Assert.True(await NetnsTestBed.CanConnect(device.Namespace, bed.MirrorAddress, 22, TimeSpan.FromSeconds(5)));
        // The device dials the host of the mirror that answered its heartbeat, as a fleet's devices do (the others name it).
        await File.AppendAllTextAsync(deployment.DeviceConfig, "\n# The answering mirror's host.\niotsync.device.reverse.host = \"\"\n");
        await deployment.StartAll();

        var sequence = await rig.LeaveAtMirror(rig.Traced("nat-m1"));
        var result = await AwaitOrExplain(rig, () => rig.AwaitResult(sequence));
        (await deployment.DeviceCli(["exec", "--", "set", "site", "behind-nat"])).EnsureSuccess("set on the device");
        // The mirror command's result and the device's property.
        await AwaitOrExplain(rig, () => rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 2));

        Assert.Equal("executed", result.GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("nat-m1"));
        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        Assert.Equal("behind-nat", state.GetProperty("properties").GetProperty("site").GetString());
        // The mirror host saw the device's key come from the router's address: the session was the device's.
        Assert.Matches(new Regex($"Accepted publickey for \\S+ from {Regex.Escape(NetnsTestBed.RouterAddress.ToString())}"), deployment.Sshd.Log);
        Assert.Matches(new Regex($@"dialling the mirror host \S+@{Regex.Escape(bed.MirrorAddress.ToString())}:\d+ \(the answering mirror's host"), deployment.Device!.Output);
    }

    [SkippableFact]
    public async Task Should_have_nothing_listening_on_a_network_address_of_the_device()
    {
        await using var rig = await NodeRig.CreateBehindNat(Options);
        var (deployment, device) = (rig.Deployment, rig.BedDevice);
        await deployment.StartAll();
        await AwaitOrExplain(rig, () => rig.AwaitConverged());

        var listening = (await NetnsTestBed.Exec(device.Namespace, ["ss", "-H", "-ltnup"])).EnsureSuccess("ss -ltnup").Stdout;

        // Whatever listens in the device's namespace (Akka.Remote's endpoint, bound to loopback for the acks
        // that come back over the device's own connection) is on loopback; no sshd at all.
        var local = listening.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4]).ToList();
        Assert.All(local, address => Assert.True(address.StartsWith("127.", StringComparison.Ordinal) || address.StartsWith("[::ffff:127.", StringComparison.Ordinal)
                                                 || address.StartsWith("[::1]", StringComparison.Ordinal),
            $"listening on {address} in the device's namespace:\n{listening}"));
        Assert.DoesNotContain("sshd", listening, StringComparison.Ordinal);
        Assert.DoesNotContain(device.Address.ToString(), listening, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("device")]
    [InlineData("relay")]
    public async Task Should_converge_with_nothing_lost_or_doubled_after_a_crash_mid_session(string victim)
    {
        // A window long enough to find and kill the relay while the device is halted in it.
        await using var rig = await NodeRig.CreateBehindNat(new DeploymentOptions { Period = TimeSpan.FromSeconds(12), WindowLimit = TimeSpan.FromSeconds(10) });
        var deployment = rig.Deployment;
        // Both sides have something for the other, so the first session pushes and pulls; the device halts after the push.
        await deployment.StartMirror();
        await deployment.Enroll();
        var command = await rig.LeaveAtMirror(rig.Traced("nat-crash"));
        await deployment.StartDevice(new Dictionary<string, string> { [ExchangeHalt.EnvironmentVariable] = "push" });
        (await deployment.DeviceCli(["exec", "--", "set", "written", "before-crash"])).EnsureSuccess("set on the device");
        await deployment.Device!.WaitForOutput(new Regex("TEST HOOK: halted after push"), NodeRig.Deadline);
        Assert.Empty(rig.MirrorSessions());

        if (victim == "device")
        {
            deployment.Device.Kill();
            await deployment.StartDevice();
        }
        else
        {
            var relays = await RelayProcesses(deployment);
            Assert.NotEmpty(relays);
            foreach (var pid in relays)
                (await ProcessRunner.Run(["kill", "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))).EnsureSuccess("kill the relay");
        }
        var result = await AwaitOrExplain(rig, () => rig.AwaitResult(command));
        // The command's result and the property written on the device.
        var view = await AwaitOrExplain(rig, () => rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 2));

        Assert.Single(await rig.ResultsFor(command));
        Assert.Equal(result.GetProperty("outcome").GetString() == "executed" ? 1 : 0, rig.Runs("nat-crash"));
        Assert.Equal(1, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        Assert.Equal("before-crash", state.GetProperty("properties").GetProperty("written").GetString());
        Assert.True((await deployment.DeviceCli(["journal", "verify"])).ExitCode == 0, rig.Logs());
        Assert.True((await deployment.MirrorCli(["journal", "verify"])).ExitCode == 0, rig.Logs());
    }

    [SkippableFact]
    public async Task Should_refuse_a_mirror_host_whose_key_is_not_the_pinned_one_and_sync_nothing()
    {
        await using var rig = await NodeRig.CreateBehindNat(Options);
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        // The device pins another key than the mirror host's sshd presents (an impostor on the path).
        var wrong = HostKeyFingerprint.OfKey(new byte[] { 1, 2, 3 });
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"\n# A wrong pin.\niotsync.device.reverse.host-key = \"{wrong.Value}\"\n");
        var sequence = await rig.LeaveAtMirror(rig.Traced("never"));
        await deployment.StartDevice();

        await deployment.Device!.WaitForOutput(new Regex(@"the mirror host's SSH key is not the pinned one .*HostKeyMismatchException"), NodeRig.Deadline);
        await deployment.Device.WaitForOutput(new Regex(@"closed after [0-9.]+ ms \(usable after [0-9.]+ ms\): reverse session failed: HostKeyMismatchException"), NodeRig.Deadline);

        var status = await deployment.DeviceJson("status");
        Assert.Contains("host-key-mismatch", status.GetProperty("refusals").GetRawText());
        Assert.Equal(0, status.GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(0, rig.Runs("never"));
        Assert.Equal("pending", (await deployment.CommandResult(sequence)).GetProperty("status").GetString());
        // Nothing authenticated at the mirror host: the key exchange ended before the device's key was offered.
        Assert.DoesNotContain("Accepted publickey", deployment.Sshd.Log);
    }

    [SkippableFact]
    public async Task Should_refuse_a_device_key_used_for_another_devices_id_and_write_to_neither_journal()
    {
        await using var rig = await NodeRig.CreateBehindNat(Options);
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        // A second reverse device, dev-other, enrolled with a key of its own ...
        var otherKey = Path.Combine(rig.Directory, "other_ssh_key");
        var other = MirrorKeyPair.LoadOrCreate(otherKey, "iotsync-device");
        var otherHeartbeat = Path.Combine(rig.Directory, "other-heartbeat.key");
        await File.WriteAllTextAsync(otherHeartbeat, new string('5', 64));
        var otherLine = (await deployment.MirrorCli(["enroll", "--device", "dev-other", "--mode", "reverse", "--device-key-file", otherKey + ".pub",
            "--heartbeat-key-file", otherHeartbeat])).EnsureSuccess("enroll dev-other").Stdout.Trim();
        // ... and only its line at the mirror host: this device's node now logs in with dev-other's key.
        await File.WriteAllTextAsync(deployment.Sshd.AuthorizedKeysFile, otherLine + "\n");
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"\n# Another device's key.\niotsync.device.reverse.key-file = \"{other.PrivateKeyPath}\"\n");
        var sequence = await rig.LeaveAtMirror(rig.Traced("stolen"));
        await deployment.StartDevice();

        // The relay announced dev-other (the id is the forced command's): no session for it was wanted, so it was refused.
        await deployment.Mirror!.WaitForOutput(new Regex(@"\[dev-other\] reverse session refused: no session was wanted"), NodeRig.Deadline);
        await deployment.Mirror.WaitForOutput(new Regex($@"\[{deployment.DeviceId}\] session \w+ failed after \d+ ms: SshTransportException: device {deployment.DeviceId} did not dial in"), NodeRig.Deadline);

        var refusals = (await deployment.MirrorJson("refusals")).GetRawText();
        Assert.Contains("reverse-arrival-refused", refusals);
        Assert.Equal(0, rig.Runs("stolen"));
        Assert.Equal("pending", (await deployment.CommandResult(sequence)).GetProperty("status").GetString());
        var mine = (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("view");
        var theirs = (await deployment.MirrorJson("state", "--device", "dev-other")).GetProperty("view");
        Assert.Equal(0, mine.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(0, theirs.GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal(0, theirs.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal(0, (await deployment.DeviceJson("status")).GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
    }

    /// <summary>The relays sshd runs on the mirror host for this deployment's device (its forced command names the session socket).</summary>
    private static async Task<IReadOnlyList<int>> RelayProcesses(Deployment deployment)
    {
        var listed = await ProcessRunner.Run(["pgrep", "-f", "--", $"--socket {deployment.MirrorSessionSocket} --device {deployment.DeviceId}"], TimeSpan.FromSeconds(5));
        return [.. listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse)];
    }

    private static async Task<T> AwaitOrExplain<T>(NodeRig rig, Func<Task<T>> wait)
    {
        try
        {
            return await wait();
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{rig.Logs()}\n--- mirror host's sshd:\n{rig.Deployment.Sshd.Log.Split('\n').TakeLast(30).Aggregate("", (a, l) => a + l + "\n")}", e);
        }
    }
}
