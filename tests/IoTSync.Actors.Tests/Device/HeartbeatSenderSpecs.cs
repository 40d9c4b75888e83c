using Akka.Actor;
using Akka.TestKit.Xunit2;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Device.HeartbeatSenderMessages;

namespace IoTSync.Tests.Device;

/// <summary>
/// A heartbeat answered after the device went dark sits in the mirror's TCP retransmission queue and
/// holds every later answer on that association behind it (issue 11, fault 7). The sender waits briefly
/// for the answers to its other heartbeats before a window closes on an answer, and has its edge
/// recycled after a window that still left one unanswered. A local listener stands in for the mirror's,
/// answering only the heartbeats it is told to.
/// </summary>
public sealed class HeartbeatSenderSpecs : TestKit
{
    private static readonly DeviceId Device = new("sender-device");
    private static readonly byte[] Key = Enumerable.Repeat((byte)7, 32).ToArray();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Answers <c>None</c> to the heartbeats whose attempt number is in <see cref="answered"/>, and keeps the others.</summary>
    private sealed class Listener : ReceiveActor
    {
        public Listener(ISet<int> answered, int[] heard)
        {
            var attempt = 0;
            Receive<Heartbeat>(heartbeat =>
            {
                attempt++;
                Interlocked.Increment(ref heard[0]);
                if (answered.Contains(attempt))
                    Sender.Tell(HeartbeatAuthenticator.Sign(new HeartbeatAck(Device, HeartbeatAction.None, "", LogPosition.Empty(Device, Origin.Mirror),
                        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "", heartbeat.Nonce, ""), Key));
            });
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder() =>
            Receive<LogHolderMessages.GetView>(_ => Sender.Tell(new SyncView(LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror), Sha256Hash.Zero)));
    }

    private readonly int[] _heard = new int[1];

    private (IActorRef Sender, Func<int> Recycled) Start(params int[] answered)
    {
        var name = "listener-" + Guid.NewGuid().ToString("N");
        Sys.ActorOf(Props.Create(() => new Listener(answered.ToHashSet(), _heard)), name);
        var recorder = Sys.ActorOf(Props.Create(() => new Recorder()));
        var recycled = 0;
        var sender = Sys.ActorOf(HeartbeatSender.Props(Device,
            new HeartbeatSenderSettings($"akka://{Sys.Name}/user/{name}", Key, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(2)),
            recorder, new SystemWallClock(), recycleEdge: () => Interlocked.Increment(ref recycled)));
        return (sender, () => Volatile.Read(ref recycled));
    }

    [Fact]
    public async Task Should_recycle_the_edge_after_a_window_whose_heartbeats_went_unanswered()
    {
        var (sender, recycled) = Start();

        await sender.Ask<MirrorUnreachable>(new SendHeartbeat(TimeSpan.FromSeconds(2), null), Timeout);
        sender.Tell(WindowEnded.Instance);

        AwaitCondition(() => recycled() == 1, Timeout);
    }

    [Fact]
    public async Task Should_recycle_the_edge_when_the_window_ends_before_the_sender_gives_up()
    {
        // The window's limit comes before the heartbeat's give-up bound (seen on the bed: four windows in a
        // row lost behind an answer written into the dark link, the edge never recycled).
        var (sender, recycled) = Start();

        var outcome = sender.Ask<MirrorUnreachable>(new SendHeartbeat(TimeSpan.FromSeconds(2), null), Timeout);
        AwaitCondition(() => Volatile.Read(ref _heard[0]) >= 1, Timeout);
        sender.Tell(WindowEnded.Instance);

        Assert.True((await outcome).Waited < TimeSpan.FromSeconds(2));
        AwaitCondition(() => recycled() == 1, Timeout);
    }

    [Fact]
    public async Task Should_keep_the_edge_after_a_window_whose_every_heartbeat_was_answered()
    {
        var (sender, recycled) = Start(1, 2, 3, 4, 5, 6);

        await sender.Ask<MirrorAnswered>(new SendHeartbeat(TimeSpan.FromSeconds(2), null), Timeout);
        sender.Tell(WindowEnded.Instance);
        // Asked after WindowEnded: the sender has handled it by the time this is answered.
        await sender.Ask<MirrorAnswered>(new SendHeartbeat(TimeSpan.FromSeconds(2), null), Timeout);

        Assert.Equal(0, recycled());
    }

    [Fact]
    public async Task Should_recycle_when_an_answer_closed_the_window_while_a_retry_was_still_unanswered()
    {
        // The first heartbeat goes unanswered, the retry is answered: the first may still be answered later, when the device is dark.
        var (sender, recycled) = Start(2);

        var answered = await sender.Ask<MirrorAnswered>(new SendHeartbeat(TimeSpan.FromSeconds(2), null), Timeout);
        sender.Tell(WindowEnded.Instance);

        Assert.Equal(2, answered.Attempts);
        AwaitCondition(() => recycled() == 1, Timeout);
    }
}
