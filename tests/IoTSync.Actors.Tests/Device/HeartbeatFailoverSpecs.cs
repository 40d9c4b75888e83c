using Akka.Actor;
using Akka.TestKit.Xunit2;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Security;
using Xunit;
using static IoTSync.Device.HeartbeatSenderMessages;

namespace IoTSync.Tests.Device;

/// <summary>
/// A device that lists several mirrors: the HeartbeatSender moves past one that does not answer to the
/// next, the answer of any listed mirror counts, and the next window calls the one that answered first,
/// also after the edge (and with it the sender) was replaced. Local listeners stand in for the mirrors'.
/// </summary>
public sealed class HeartbeatFailoverSpecs : TestKit
{
    private static readonly DeviceId Device = new("failover-device");
    private static readonly byte[] Key = Enumerable.Repeat((byte)9, 32).ToArray();
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(2);

    /// <summary>Counts the heartbeats it hears, and answers them (signed, <c>None</c>) only when <paramref name="answers"/>.</summary>
    private sealed class Listener : ReceiveActor
    {
        public Listener(bool answers, int[] heard, byte[] key)
        {
            Receive<Heartbeat>(heartbeat =>
            {
                Interlocked.Increment(ref heard[0]);
                if (answers)
                    Sender.Tell(HeartbeatAuthenticator.Sign(new HeartbeatAck(Device, HeartbeatAction.None, "", LogPosition.Empty(Device, Origin.Mirror),
                        DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), "", heartbeat.Nonce, ""), key));
            });
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder() =>
            Receive<LogHolderMessages.GetView>(_ => Sender.Tell(new SyncView(LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror), Sha256Hash.Zero)));
    }

    private readonly IActorRef _recorder;
    private readonly LastAnsweringMirror _lastMirror = new();
    private readonly Refusals _refusals = new();

    public HeartbeatFailoverSpecs() => _recorder = Sys.ActorOf(Props.Create(() => new Recorder()));

    /// <summary>A listener for one mirror; its path and how many heartbeats it heard.</summary>
    private (string Path, Func<int> Heard) Mirror(bool answers, byte[]? key = null)
    {
        var heard = new int[1];
        var name = "listener-" + Guid.NewGuid().ToString("N");
        Sys.ActorOf(Props.Create(() => new Listener(answers, heard, key ?? Key)), name);
        return ($"akka://{Sys.Name}/user/{name}", () => Volatile.Read(ref heard[0]));
    }

    private IActorRef StartSender(params string[] mirrors) =>
        Sys.ActorOf(HeartbeatSender.Props(Device, new HeartbeatSenderSettings(mirrors, Key, TimeSpan.FromMilliseconds(100), GiveUpAfter),
            _recorder, new SystemWallClock(), _refusals, recycleEdge: () => { }, lastMirror: _lastMirror));

    private static Task<T> Window<T>(IActorRef sender) => sender.Ask<T>(new SendHeartbeat(TimeSpan.FromSeconds(5), null), Timeout);

    [Fact]
    public async Task Should_move_past_an_unresponsive_mirror_to_the_next_and_start_there_next_window()
    {
        var (silent, silentHeard) = Mirror(answers: false);
        var (answering, answeringHeard) = Mirror(answers: true);
        var sender = StartSender(silent, answering);

        var first = await Window<MirrorAnswered>(sender);

        // The silent mirror had its half of the 2 s bound (at 0, 100, 300 and 700 ms: four heartbeats, fewer when timers run late),
        // then the next answered the first it heard.
        Assert.InRange(first.Attempts, 2, 5);
        AwaitCondition(() => silentHeard() == first.Attempts - 1 && answeringHeard() == 1, Timeout);
        Assert.Equal((1, HeartbeatSender.MirrorName(answering)), (_lastMirror.Index, _lastMirror.Last?.Address));

        sender.Tell(WindowEnded.Instance);
        var second = await Window<MirrorAnswered>(sender);

        Assert.Equal(1, second.Attempts);
        AwaitCondition(() => answeringHeard() == 2, Timeout);
        Assert.Equal(first.Attempts - 1, silentHeard());
    }

    [Fact]
    public async Task Should_start_with_the_mirror_that_answered_last_in_a_fresh_edge_too()
    {
        var (silent, silentHeard) = Mirror(answers: false);
        var (answering, answeringHeard) = Mirror(answers: true);
        var first = await Window<MirrorAnswered>(StartSender(silent, answering));
        AwaitCondition(() => silentHeard() == first.Attempts - 1, Timeout);

        // The edge recycled after the window that left the silent mirror's heartbeats unanswered: a new sender.
        var answered = await Window<MirrorAnswered>(StartSender(silent, answering));

        Assert.Equal(1, answered.Attempts);
        AwaitCondition(() => answeringHeard() == 2, Timeout);
        Assert.Equal(first.Attempts - 1, silentHeard());
    }

    [Fact]
    public async Task Should_move_past_a_mirror_that_is_not_there_at_all_and_wrap_round_to_the_first()
    {
        var (answering, answeringHeard) = Mirror(answers: true);
        var nowhere = $"akka://{Sys.Name}/user/no-mirror-here";
        _lastMirror.Answered(1, "no-mirror-here", 0);

        var answered = await Window<MirrorAnswered>(StartSender(answering, nowhere));

        AwaitCondition(() => answeringHeard() == 1, Timeout);
        Assert.Equal(0, _lastMirror.Index);
        Assert.True(answered.Attempts >= 2);
    }

    [Fact]
    public async Task Should_count_the_window_unreachable_only_after_every_mirror_had_its_turn()
    {
        var (first, firstHeard) = Mirror(answers: false);
        var (second, secondHeard) = Mirror(answers: false);

        var unreachable = await Window<MirrorUnreachable>(StartSender(first, second));

        AwaitCondition(() => firstHeard() >= 1 && secondHeard() >= 1 && firstHeard() + secondHeard() == unreachable.Attempts, Timeout);
        Assert.True(unreachable.Waited >= GiveUpAfter, unreachable.Waited.ToString());
        Assert.Null(_lastMirror.Last);
    }

    [Fact]
    public async Task Should_ignore_an_answer_signed_with_another_key_and_move_on()
    {
        var (forger, forgerHeard) = Mirror(answers: true, key: Enumerable.Repeat((byte)1, 32).ToArray());
        var (answering, _) = Mirror(answers: true);

        await Window<MirrorAnswered>(StartSender(forger, answering));

        Assert.True(forgerHeard() >= 1);
        Assert.Equal(forgerHeard(), _refusals.Of(Refusals.MirrorAnswerRefused));
        Assert.Equal(1, _lastMirror.Index);
    }
}
