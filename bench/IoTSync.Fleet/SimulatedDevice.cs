using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Testing.Fakes;
using IoTSync.Testing.Sync;

namespace IoTSync.Fleet;

/// <summary>
/// One simulated device: its id, heartbeat key, certificate and SSH key (made as <c>iotsync-device init</c> makes
/// them), its device log, its replica of the mirror log and its model in memory (<see cref="InMemoryDeviceSide"/>,
/// which decides and applies through <c>CommandRecorderState</c> as the CommandRecorder does), and a runner that
/// simulates execution. One window at a time: the <see cref="Gate"/> is held for a whole window.
/// </summary>
public sealed class SimulatedDevice(DeviceId id, byte[] heartbeatKey, X509Certificate2 certificate, string sshKeyFile, InMemoryDeviceSide side, FakeCommandRunner runner)
{
    public DeviceId Id { get; } = id;

    public byte[] HeartbeatKey { get; } = heartbeatKey;

    /// <summary>The device's certificate from the fleet CA, with its private key.</summary>
    public X509Certificate2 Certificate { get; } = certificate;

    /// <summary>The device's SSH private key (the mirror host's authorized_keys forces the relay for its public half).</summary>
    public string SshKeyFile { get; } = sshKeyFile;

    public InMemoryDeviceSide Side { get; } = side;

    public FakeCommandRunner Runner { get; } = runner;

    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The HeartbeatSender speaking for this device (in its own edge or a shared one).</summary>
    public IActorRef Heartbeats { get; set; } = ActorRefs.Nobody;

    /// <summary>What the device's heartbeat says: its view as the last window left it.</summary>
    public SyncView View => Volatile.Read(ref _view) ?? Side.State.Logs.View;

    private SyncView? _view;

    /// <summary>Takes the view afresh from the device's state (under the <see cref="Gate"/>).</summary>
    public void Refresh() => Volatile.Write(ref _view, Side.State.Logs.View);

    /// <summary>Windows closed so far.</summary>
    public int Windows { get; set; }

    /// <summary>How the last window closed, for the next heartbeat.</summary>
    public WindowReport? LastWindow { get; set; }

    /// <summary>The mirror commands left for this device: their sequence in the mirror log and their argument vector.</summary>
    public List<(long Sequence, string[] Argv)> LeftAtMirror { get; } = [];

    /// <summary>The commands given on the device (property sets), each once.</summary>
    public int LocalCommands { get; set; }

    /// <summary>Set once, after the run, a window found nothing to sync (the mirror's answer was none).</summary>
    public bool Drained { get; set; }

    /// <summary>
    /// The mirror nodes this device lists, as indices into the target's nodes, in its own order (device i starts
    /// from node i mod M, as a fleet's configurations would spread them): its HeartbeatSender's listeners.
    /// </summary>
    public IReadOnlyList<int> NodeOrder { get; set; } = [0];

    /// <summary>Which of <see cref="NodeOrder"/> answered last (the production sender's record; its next window starts there).</summary>
    public IoTSync.Device.LastAnsweringMirror LastMirror { get; } = new();

    /// <summary>The target's node that answered the last answered heartbeat: the one whose host sshd the session dials.</summary>
    public int AnsweringNode => NodeOrder[LastMirror.Index];

    /// <summary>Windows in which no heartbeat was answered.</summary>
    public int MissedWindows { get; private set; }

    /// <summary>The most windows missed one after the other.</summary>
    public int MostMissedInARow { get; private set; }

    private int _missedInARow;

    /// <summary>Counts a window: <paramref name="answered"/> whether a heartbeat of it was answered.</summary>
    public void WindowAnswered(bool answered)
    {
        if (answered)
        {
            _missedInARow = 0;
            return;
        }
        MissedWindows++;
        MostMissedInARow = Math.Max(MostMissedInARow, ++_missedInARow);
    }
}
