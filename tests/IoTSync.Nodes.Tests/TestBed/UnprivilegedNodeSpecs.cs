using System.Text.RegularExpressions;
using IoTSync.Testing.Rig;
using IoTSync.TestBed;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.TestBed;

/// <summary>
/// The nodes on the test bed as a real installation runs them: the device node as its own user
/// with CAP_NET_ADMIN and nothing else, still taking its interface up and down and syncing; the
/// mirror unprivileged; sshd's sessions as the sync account, which reaches the node only through
/// the control socket's group.
/// </summary>
[Collection(TestBedCollection.Name)]
public sealed partial class UnprivilegedNodeSpecs
{
    /// <summary>CAP_NET_ADMIN is capability 12.</summary>
    private const ulong NetAdmin = 1UL << 12;

    [SkippableFact]
    public async Task Should_sync_with_the_device_node_as_its_own_user_holding_only_cap_net_admin_and_the_mirror_unprivileged()
    {
        await using var rig = await NodeRig.CreateInBed(new DeploymentOptions { Period = TimeSpan.FromSeconds(3), WindowLimit = TimeSpan.FromMilliseconds(2000) });
        var (deployment, device) = (rig.Deployment, rig.BedDevice);
        var users = deployment.Options.Users;
        Skip.If(users is null, "the node accounts cannot be made here (not root, or no useradd/setpriv)");
        await deployment.StartAll();

        var sequence = await rig.LeaveAtMirror(rig.Traced("unprivileged"));
        System.Text.Json.JsonElement result;
        try
        {
            result = await rig.AwaitResult(sequence);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}\n{rig.Logs()}\n--- sshd:\n{string.Join('\n', deployment.Sshd.Log.Split('\n').TakeLast(30))}", e);
        }
        Assert.Equal("executed", result.GetProperty("outcome").GetString());
        await rig.AwaitConverged();

        var node = Status(deployment.Device!.Id);
        Assert.Equal(Uid(users!.DeviceUser), node.Uid);
        Assert.Equal((NetAdmin, NetAdmin, NetAdmin, NetAdmin), (node.Effective, node.Permitted, node.Bounding, node.Ambient));
        var mirror = Status(deployment.Mirror!.Id);
        Assert.Equal(Uid(users.MirrorUser), mirror.Uid);
        Assert.Equal((0UL, 0UL, 0UL), (mirror.Effective, mirror.Permitted, mirror.Bounding));
        Assert.Matches(new Regex($"Accepted publickey for {users.SyncUser} from {Regex.Escape(deployment.MirrorHost)}"), deployment.Sshd.Log);
        var socket = new FileInfo(deployment.DeviceSocket);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, socket.UnixFileMode);
        // The interface the unprivileged node took up for the window is down again once it closed.
        await NodeRig.Poll("the device dark with its link down", async () =>
            (await deployment.DeviceJson("status")).GetProperty("cycle").GetProperty("phase").GetString() == "dark"
            && !await NetnsTestBed.IsLinkUp(device.Namespace, device.InterfaceName)
                ? true
                : (bool?)null);
    }

    private static (int Uid, ulong Effective, ulong Permitted, ulong Bounding, ulong Ambient) Status(int pid)
    {
        var lines = File.ReadAllLines($"/proc/{pid}/status");
        string Field(string name) => lines.First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
        ulong Caps(string name) => Convert.ToUInt64(Field(name), 16);
        return (int.Parse(Field("Uid").Split('\t', StringSplitOptions.RemoveEmptyEntries)[0]), Caps("CapEff"), Caps("CapPrm"), Caps("CapBnd"), Caps("CapAmb"));
    }

    private static int Uid(string user) =>
        int.Parse(File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f[0] == user)[2]);
}
