using System.Text.RegularExpressions;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A device that dials its mirror by a name the mirror is not bound as (<c>localhost</c> for a mirror bound
/// as 127.0.0.1): Akka.Remote compares addresses as text, so the mirror drops every heartbeat. Both sides say
/// so: the device at start, the mirror once per device, at WARNING, naming the address to use.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed partial class MirrorAddressSpecs
{
    [SkippableFact]
    public async Task Should_say_on_both_sides_that_heartbeats_to_a_name_the_mirror_is_not_bound_as_are_dropped()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await File.AppendAllTextAsync(deployment.DeviceConfig, $"""

            # The mirror by name, as a new operator would write it.
            iotsync.device.mirror.address = "localhost:{deployment.MirrorPort}"

            """);

        await deployment.StartAll();
        var mirror = deployment.Mirror!;
        var device = deployment.Device!;

        await mirror.WaitForOutput(MirrorWarning(), NodeRig.Deadline);
        // Once per device: windows later, still the one line.
        await device.WaitForOutput(UnansweredWindow(), NodeRig.Deadline, occurrence: 3);
        Assert.True(MirrorWarning().Matches(mirror.Output).Count == 1, rig.Logs());
        Assert.Contains($"give the device iotsync.device.mirror.address = \"127.0.0.1:{deployment.MirrorPort}\"", mirror.Output);
        Assert.Matches(DeviceWarning(), device.Output);
    }

    [GeneratedRegex(@"\[WARNING\].*remote messages from iotsync-device-demo-device at 127\.0\.0\.1 addressed to akka\.ssl\.tcp://iotsync-mirror@localhost:\d+ are dropped")]
    private static partial Regex MirrorWarning();

    [GeneratedRegex(@"\[WARNING\].*mirror address localhost:\d+ is a name")]
    private static partial Regex DeviceWarning();

    [GeneratedRegex(@"heartbeat\(s\) of the window went unanswered")]
    private static partial Regex UnansweredWindow();
}
