using System.Text.RegularExpressions;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The real cycle through real processes: the built iotsync-mirror and iotsync-device, the
/// device's own sshd on loopback with generated keys, SQLite files, Akka.Remote heartbeats.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class NodeCycleSpecs
{
    [SkippableFact]
    public async Task Should_deliver_a_mirror_command_and_bring_its_result_back_in_the_same_window()
    {
        // A window with room for the command's run on a loaded machine (its runner's start alone was seen at 2.4 s),
        // and the command left once a first window has closed: the window that carries it has its association already.
        await using var rig = await NodeRig.Create(new DeploymentOptions { Period = TimeSpan.FromSeconds(6), WindowLimit = TimeSpan.FromSeconds(5) });
        await rig.Deployment.StartAll();
        await rig.Deployment.Device!.WaitForOutput(new Regex(@"\] window \d+ closed after"), NodeRig.Deadline);

        var sequence = await rig.LeaveAtMirror(rig.Traced("m1"));
        var result = await rig.AwaitResult(sequence);

        Assert.Equal("executed", result.GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("m1"));
        // One session carried the command to the device and its result back (its line may follow the result being readable).
        await NodeRig.Poll("a session that pushed and pulled", () =>
            Task.FromResult(rig.MirrorSessions().Any(s => s.Pushed >= 1 && s.Pulled >= 1) ? true : (bool?)null));
        // The device's edge listens on loopback only, over TLS; the mirror's acks came back over its own association.
        Assert.Matches($@"akka\.ssl\.tcp://iotsync-device-{rig.Deployment.DeviceId}@127\.0\.0\.1:\d+/", rig.Deployment.Device!.Output);
        // The mirror recorded that window: its session, and (from the next heartbeat) the device's own measurement.
        // Other windows may have sessions too (one that found nothing to move, on a loaded machine): look for the one that carried the command.
        static bool CarriedEntries(System.Text.Json.JsonElement w) =>
            w.GetProperty("session").ValueKind != System.Text.Json.JsonValueKind.Null
            && w.GetProperty("device").ValueKind != System.Text.Json.JsonValueKind.Null
            && w.GetProperty("session").GetProperty("entriesPushed").GetInt32() + w.GetProperty("session").GetProperty("entriesPulled").GetInt32() >= 1;
        var synced = await NodeRig.Poll("the device's report of the synced window at the mirror", async () =>
        {
            var reply = await rig.Deployment.MirrorJson("windows", "--device", rig.Deployment.DeviceId);
            return reply.GetProperty("windows").EnumerateArray().Where(CarriedEntries).Select(w => (System.Text.Json.JsonElement?)w).FirstOrDefault();
        });
        Assert.True(synced.GetProperty("device").GetProperty("durationMs").GetInt64() >= 0);
    }

    [SkippableFact]
    public async Task Should_mirror_a_command_run_on_the_device_with_exec()
    {
        await using var rig = await NodeRig.Create();
        await rig.Deployment.StartAll();

        var exec = await rig.Deployment.DeviceCli(["exec", "--", "echo", "from the device"]);

        Assert.Equal(0, exec.ExitCode);
        Assert.Equal("from the device\n", exec.Stdout);
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 2);
        Assert.Equal(2, view.GetProperty("deviceLog").GetProperty("length").GetInt64());
        var journal = await rig.DeviceJournal();
        Assert.Contains(journal, e => e.GetProperty("kind").GetString() == "result" && e.GetProperty("result").GetProperty("output").GetString() == "from the device\n");
        // The mirror recorded the heads both sides confirmed; verify holds the device's journal to them.
        var verify = await rig.Deployment.DeviceCli(["journal", "verify", "--against", rig.Deployment.MirrorDatabase]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("and the heads both confirmed at the last sync (device log 2@", verify.Stdout);
    }

    [SkippableFact]
    public async Task Should_exchange_what_both_sides_wrote_while_apart_in_one_window_once_the_mirror_is_back()
    {
        // Windows with room for a first association, both directions and the command's run on a loaded machine.
        await using var rig = await NodeRig.Create(new DeploymentOptions { Period = TimeSpan.FromSeconds(6), WindowLimit = TimeSpan.FromSeconds(5) });
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        // The mirror writes while the device node is not running ...
        var command = await rig.LeaveAtMirror(rig.Traced("apart"));
        (await deployment.MirrorCli(["exec", "--device", deployment.DeviceId, "--", "set", "colour", "blue"])).EnsureSuccess("set at the mirror");
        await deployment.Mirror!.Stop(TimeSpan.FromSeconds(15));
        // ... and the device writes while the mirror is down: its windows end after the back-off.
        await deployment.StartDevice();
        (await deployment.DeviceCli(["exec", "--", "set", "location", "lab"])).EnsureSuccess("set on the device");
        (await deployment.DeviceCli(["exec", "--", "echo", "offline"])).EnsureSuccess("exec on the device");
        await deployment.Device!.WaitForOutput(new Regex(@"closed after [0-9.]+ ms \(usable after [0-9.]+ ms\): mirror unreachable after \d+ heartbeat"), NodeRig.Deadline);

        await deployment.StartMirror();
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 4);

        // Both mirror entries went down and the device's three entries plus the command's result came up, in one session.
        Assert.Contains(rig.MirrorSessions(), s => s.Pushed == 2 && s.Pulled == 4);
        Assert.Equal(2, view.GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.Equal("executed", (await rig.AwaitResult(command)).GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("apart"));
        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        var properties = state.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal("blue", properties["colour"]);
        Assert.Equal("lab", properties["location"]);
    }

    [SkippableFact]
    public async Task Should_record_expired_and_cancelled_commands_without_running_them()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();
        var stale = await rig.LeaveAtMirror(rig.Traced("stale"), expiresIn: "1s");
        var cancelled = await rig.LeaveAtMirror(rig.Traced("cancelled"));
        (await deployment.MirrorCli(["cancel", "--device", deployment.DeviceId, cancelled.ToString(System.Globalization.CultureInfo.InvariantCulture)])).EnsureSuccess("cancel");
        var notAfter = (await deployment.CommandResult(stale)).GetProperty("status").GetString();
        Assert.Equal("pending", notAfter);
        // The device stays dark past the stale command's not-after.
        var staleUntil = DateTimeOffset.UtcNow.AddSeconds(1.5);
        await NodeRig.Poll("the stale command's not-after to pass", () => Task.FromResult(DateTimeOffset.UtcNow > staleUntil ? true : (bool?)null));

        await deployment.StartDevice();

        Assert.Equal("expired", (await rig.AwaitResult(stale)).GetProperty("outcome").GetString());
        Assert.Equal("cancelled", (await rig.AwaitResult(cancelled)).GetProperty("outcome").GetString());
        Assert.Equal(0, rig.Runs("stale"));
        Assert.Equal(0, rig.Runs("cancelled"));
    }

    [SkippableFact]
    public async Task Should_refuse_a_device_whose_host_key_is_not_the_pinned_one_and_apply_nothing()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        var wrongKey = "SHA256:" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).TrimEnd('=');
        await deployment.Enroll(wrongKey);
        await deployment.StartDevice();
        (await deployment.DeviceCli(["exec", "--", "echo", "never mirrored"])).EnsureSuccess("exec on the device");
        var command = await rig.LeaveAtMirror(rig.Traced("never"));

        await deployment.Mirror!.WaitForOutput(new Regex(@"session \w+ failed after \d+ ms: HostKeyMismatchException"), NodeRig.Deadline);

        var state = await deployment.MirrorJson("state", "--device", deployment.DeviceId);
        Assert.Equal(0, state.GetProperty("view").GetProperty("deviceLog").GetProperty("length").GetInt64());
        Assert.Equal("pending", (await deployment.CommandResult(command)).GetProperty("status").GetString());
        var device = await deployment.DeviceJson("status");
        Assert.Equal(0, device.GetProperty("view").GetProperty("mirrorLog").GetProperty("length").GetInt64());
        Assert.DoesNotContain("Accepted publickey", deployment.Sshd.Log, StringComparison.Ordinal);
        Assert.Equal(0, rig.Runs("never"));
    }
}

/// <summary>The fleet as the mirror's CLI shows it, through the running mirror node.</summary>
[Collection(NodeProcessCollection.Name)]
public sealed class FleetSpecs
{
    [SkippableFact]
    public async Task Should_refuse_an_unknown_device_in_one_line_and_show_a_silent_device_late_once()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();

        var unknown = await deployment.MirrorCli(["exec", "--device", "ghost", "--", "echo", "x"]);
        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal("iotsync-mirror: device 'ghost' is not enrolled\n", unknown.Stderr);
        // Bytes that are no HTTP request, straight onto the mirror's socket: refused, the node carries on.
        using (var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified))
        {
            await raw.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(deployment.MirrorSocket));
            await raw.SendAsync("\0\0\0\u0006junk\r\n\r\n"u8.ToArray());
            var answer = new byte[4096];
            var read = await raw.ReceiveAsync(answer).WaitAsync(NodeRig.Deadline);
            Assert.StartsWith("HTTP/1.1 400", System.Text.Encoding.ASCII.GetString(answer, 0, read));
        }

        await NodeRig.Poll("the device seen", async () =>
            // Heard from: "ok" while its window may be open, "dark" once it closed (nothing to sync closes it at once).
            (await deployment.MirrorJson("devices")).GetProperty("devices")[0].GetProperty("status").GetString() is "ok" or "dark" ? true : (bool?)null);
        deployment.Device!.Kill();
        var late = await NodeRig.Poll("the silent device shown late", async () =>
        {
            var device = (await deployment.MirrorJson("devices")).GetProperty("devices")[0];
            return device.GetProperty("status").GetString() == "late" ? device : (System.Text.Json.JsonElement?)null;
        });

        Assert.Equal(deployment.DeviceId, late.GetProperty("device").GetString());
        await deployment.Mirror!.WaitForOutput(new Regex($@"\[{deployment.DeviceId}\] LATE: no heartbeat for"), NodeRig.Deadline);
        // Logged once per late episode, however many checks see it late: several more checks (one a second) pass meanwhile.
        for (var look = 0; look < 5; look++)
            Assert.Equal("late", (await deployment.MirrorJson("devices")).GetProperty("devices")[0].GetProperty("status").GetString());
        var checks = new Regex("LATE: no heartbeat").Matches(deployment.Mirror.Output).Count;
        Assert.Equal(1, checks);
    }
}
