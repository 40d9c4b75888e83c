using Akka.Actor;
using Akka.Event;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;
using static IoTSync.Logs.LogHolderMessages;

namespace IoTSync.Tests.Device;

/// <summary>The device node's control socket with a real CommandRecorder on SQLite and real processes.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ControlSocketSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly DeviceId Device = new("dev-cs");
    private readonly SqliteTestDatabase _db = new();
    private string SocketPath => Path.Combine(_db.Directory, "run", "control.sock");
    private ActorSystem _system = null!;
    private IActorRef _recorder = null!;
    private ControlSocketServer _server = null!;

    public async Task InitializeAsync()
    {
        _system = _db.Start();
        _recorder = _system.ActorOf(CommandRecorder.Props(Device, new CommandRecorderSettings("device", TimeSpan.FromSeconds(2), _db.LogHolder()),
            new ProcessCommandRunner(new CommandPolicy(["echo"], TimeSpan.FromSeconds(10), 4096)), SystemWallClock.Instance), "recorder");
        _server = await ControlSocketServer.Start(SocketPath, Device, _recorder, ExchangeSettings.Default, Timeout, _system.Log);
    }

    [Fact]
    public async Task Should_record_and_run_a_command_given_through_the_socket()
    {
        var reply = await ControlSocketClient.Exec(SocketPath, ["echo", "hello", "world"], "operator", CancellationToken.None);

        Assert.Equal(["echo", "hello", "world"], reply.Command.Argv.ToArray());
        Assert.Equal(CommandOutcome.Executed, reply.Result!.Result!.Outcome);
        Assert.Equal("hello world\n", reply.Result.Result.Output);
        Assert.Equal(2, (await _recorder.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog.Length);
    }

    [Fact]
    public async Task Should_record_a_refusal_for_a_program_outside_the_policy()
    {
        var reply = await ControlSocketClient.Exec(SocketPath, ["rm", "-rf", "/tmp/x"], "operator", CancellationToken.None);

        Assert.Equal(CommandOutcome.Refused, reply.Result!.Result!.Outcome);
    }

    [Fact]
    public void Should_let_only_the_owner_use_the_socket()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
    }

    [Fact]
    public async Task Should_say_clearly_when_no_node_is_running_and_record_nothing()
    {
        var missing = Path.Combine(_db.Directory, "nobody.sock");

        var error = await Assert.ThrowsAsync<ControlSocketException>(() => ControlSocketClient.Exec(missing, ["echo", "x"], "operator", CancellationToken.None));

        Assert.Contains("no device node is running", error.Message);
        Assert.Equal(0, (await _recorder.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog.Length);
    }

    [Fact]
    public async Task Should_refuse_to_start_a_second_node_on_the_same_socket()
    {
        var error = await Assert.ThrowsAsync<ControlSocketException>(() =>
            ControlSocketServer.Start(SocketPath, Device, _recorder, ExchangeSettings.Default, Timeout, _system.Log));

        Assert.Contains("already running", error.Message);
        Assert.True(await ControlSocketClient.IsAnswering(SocketPath));
    }

    [Fact]
    public async Task Should_answer_a_malformed_request_with_an_error_and_record_nothing()
    {
        await using var stream = await ConnectRaw();
        await FrameCodec.Write(stream, new Done(new SyncView(LogPosition.Empty(Device, Origin.Device), LogPosition.Empty(Device, Origin.Mirror), Sha256Hash.Zero)), CancellationToken.None);

        var answer = await FrameCodec.Read<ControlMessage>(stream, 4096, CancellationToken.None);

        Assert.Contains("is not a ControlMessage", Assert.IsType<ControlError>(answer).Message);
        Assert.Equal(0, (await _recorder.Ask<SyncView>(GetView.Instance, Timeout)).DeviceLog.Length);
    }

    [Fact]
    public async Task Should_relay_a_whole_sync_exchange_to_the_running_node()
    {
        await ControlSocketClient.Exec(SocketPath, ["echo", "from", "device"], "operator", CancellationToken.None);
        var mirrorJournal = new InMemoryJournal();
        var mirror = new InMemoryMirrorSide(Device, mirrorJournal, new FakeWallClock(1_700_000_000_000));
        mirror.Submit("echo", "from", "mirror");
        var (toRelay, fromRelay) = (new System.IO.Pipelines.Pipe(), new System.IO.Pipelines.Pipe());
        var relay = ControlSocketClient.RelaySync(SocketPath, toRelay.Reader.AsStream(), fromRelay.Writer.AsStream(), CancellationToken.None);
        var channel = new StreamExchangeChannel(toRelay.Writer.AsStream(), fromRelay.Reader.AsStream());

        var report = await new MirrorExchange(Device, mirror, channel, ExchangeSettings.Default).Run("relayed", CancellationToken.None);
        await toRelay.Writer.CompleteAsync();
        await relay.WaitAsync(Timeout);

        Assert.Equal(ExchangeOutcome.Converged, report.Outcome);
        Assert.Equal(1, report.EntriesPushed);
        Assert.Equal(3, report.EntriesPulled);
        Assert.Equal(report.MirrorView, await _recorder.Ask<SyncView>(GetView.Instance, Timeout));
    }

    private async Task<System.Net.Sockets.NetworkStream> ConnectRaw()
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(SocketPath));
        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await SqliteTestDatabase.Stop(_system);
        _db.Dispose();
    }
}
