using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// What a <c>Type=notify</c> unit with <c>WatchdogSec=</c> needs from the nodes, with the test in
/// systemd's place: each node sends <c>READY=1</c> to the <c>NOTIFY_SOCKET</c> it was given once it
/// runs, and <c>WATCHDOG=1</c> again and again while its actors answer; and with
/// <c>iotsync.logging.format = json</c> the device node writes JSON lines with its id as a field, while
/// the mirror, its output a journal stream (<c>JOURNAL_STREAM</c>), starts its lines with their priority.
/// </summary>
public sealed class SystemdNotifySpecs
{
    [SkippableFact]
    public async Task Should_send_ready_and_keep_feeding_the_watchdog_from_both_nodes_and_log_json_lines_with_the_device_id()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        using var mirrorSocket = NotifySocket(Path.Combine(rig.Directory, "mirror-notify"));
        using var deviceSocket = NotifySocket(Path.Combine(rig.Directory, "device-notify"));
        await File.AppendAllTextAsync(deployment.DeviceConfig, "\n# JSON log lines.\niotsync.logging.format = json\n");

        await deployment.StartMirror(new Dictionary<string, string>(Environment(Path.Combine(rig.Directory, "mirror-notify"))) { ["JOURNAL_STREAM"] = "8:12345" });
        await deployment.Enroll();
        await deployment.StartDevice(Environment(Path.Combine(rig.Directory, "device-notify")));

        foreach (var (node, socket) in new[] { ("mirror", mirrorSocket), ("device", deviceSocket) })
        {
            var seen = await Receive(socket, states => states.Contains("READY=1") && states.Count(s => s == "WATCHDOG=1") >= 3);
            Assert.True(seen.IndexOf("READY=1") < seen.LastIndexOf("WATCHDOG=1"), $"{node}: {string.Join(", ", seen)}");
        }

        // The mirror's lines through the journal: syslog's priority first (6 info).
        Assert.Matches(new System.Text.RegularExpressions.Regex(@"(?m)^<6>\[INFO\]\[[^\]]+\]\[Thread \d+\]\[akka://iotsync-mirror"), deployment.Mirror!.Output);

        // The device's log lines as JSON, each with the device's id.
        var lines = await NodeRig.Poll("JSON log lines from the device node", () => Task.FromResult<bool?>(
            deployment.Device!.Output.Split('\n').Count(l => l.StartsWith('{')) >= 2 ? true : null));
        Assert.True(lines);
        foreach (var line in deployment.Device!.Output.Split('\n').Where(l => l.StartsWith('{')))
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(deployment.DeviceId, json.RootElement.GetProperty("deviceId").GetString());
            Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("message").GetString()));
            Assert.Contains(json.RootElement.GetProperty("level").GetString(), new[] { "debug", "info", "warning", "error" });
        }
    }

    private static Dictionary<string, string> Environment(string socket) => new()
    {
        ["NOTIFY_SOCKET"] = socket,
        // Fed every 250 ms: three feeds within a second of the start.
        ["WATCHDOG_USEC"] = "500000",
    };

    private static Socket NotifySocket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>The notify messages (one state per line in a datagram) until <paramref name="enough"/> holds, bounded by the rig's deadline.</summary>
    private static async Task<List<string>> Receive(Socket socket, Func<List<string>, bool> enough)
    {
        var states = new List<string>();
        using var deadline = new CancellationTokenSource(NodeRig.Deadline);
        var buffer = new byte[4096];
        try
        {
            while (!enough(states))
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                states.AddRange(Encoding.UTF8.GetString(buffer, 0, read).Split('\n', StringSplitOptions.RemoveEmptyEntries));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the notify socket got only: {string.Join(", ", states)}");
        }
        return states;
    }
}
