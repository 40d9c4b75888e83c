using System.Text.RegularExpressions;
using IoTSync.Mirror.Ssh;
using IoTSync.Testing.Rig;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Reverse;

/// <summary>
/// Reverse mode through the real processes on loopback: the device dials the mirror host's sshd (a private
/// sshd with the shipped iotsync-mirror.conf and the authorized_keys line <c>enroll --mode reverse</c>
/// printed), sshd forces the relay for the device's id, and the mirror drives the exchange over it.
/// The device runs no sshd. The refusals (a wrong mirror host key, another device's key) are
/// attacked behind NAT, in <see cref="ReverseBehindNatSpecs"/>.
/// </summary>
[Collection(Deploy.DeployCollection.Name)]
public sealed class ReverseModeSpecs
{
    private static DeploymentOptions Reverse => new() { Reverse = true };

    [SkippableFact]
    public async Task Should_carry_commands_both_ways_over_the_session_the_device_opened()
    {
        await using var rig = await NodeRig.Create(Reverse);
        await rig.Deployment.StartAll();

        var sequence = await rig.LeaveAtMirror(rig.Traced("rev-m1"));
        var result = await rig.AwaitResult(sequence);
        var exec = await rig.Deployment.DeviceCli(["exec", "--", "echo", "from the device"]);
        var view = await rig.AwaitConverged(v => v.GetProperty("deviceLog").GetProperty("length").GetInt64() >= 3);

        Assert.Equal("executed", result.GetProperty("outcome").GetString());
        Assert.Equal(1, rig.Runs("rev-m1"));
        Assert.Equal("from the device\n", exec.Stdout);
        Assert.True(view.GetProperty("mirrorLog").GetProperty("length").GetInt64() >= 1);
        var device = rig.Deployment.Device!.Output;
        Assert.Contains("dialling the mirror host", device);
        Assert.Contains("sync session opened to the mirror host", device);
        Assert.Contains("opening reverse (the device dials in)", rig.Deployment.Mirror!.Output);
        // The key reached the relay forced for this device, and nothing else.
        var line = await File.ReadAllTextAsync(rig.Deployment.Sshd.AuthorizedKeysFile);
        Assert.StartsWith($"restrict,command=\"{rig.Deployment.MirrorRelayCommand} --socket {rig.Deployment.MirrorSessionSocket} --device {rig.Deployment.DeviceId}\" ecdsa-sha2-nistp256 ", line);
        var listed = await rig.Deployment.MirrorJson("devices");
        Assert.Contains("\"mode\":\"reverse\"", listed.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        var regenerated = (await rig.Deployment.MirrorCli(["authorized-keys"])).EnsureSuccess("authorized-keys");
        Assert.Equal(line.Trim(), regenerated.Stdout.Trim());
    }
}
