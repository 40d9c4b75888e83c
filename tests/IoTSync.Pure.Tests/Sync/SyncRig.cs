using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Sync;

/// <summary>
/// One device and its mirror, each over its own journal and clock, with one fake command runner
/// standing for the device's outside world. Sessions run over an <see cref="InMemoryChannel"/>
/// to a fresh <see cref="DeviceExchange"/> each time.
/// </summary>
public sealed class SyncRig
{
    public const long Start = 1_700_000_000_000;

    private int _sessions;

    private SyncRig(ExchangeSettings settings)
    {
        Settings = settings;
    }

    public static async Task<SyncRig> Create(ExchangeSettings? settings = null, string device = "dev-1")
    {
        var rig = new SyncRig(settings ?? ExchangeSettings.Default) { Device = new DeviceId(device) };
        await rig.Restart();
        return rig;
    }

    public DeviceId Device { get; private init; }

    public ExchangeSettings Settings { get; set; }

    public FakeWallClock DeviceClock { get; } = new(Start);

    public FakeWallClock MirrorClock { get; } = new(Start);

    public InMemoryJournal DeviceJournal { get; } = new();

    public InMemoryJournal MirrorJournal { get; } = new();

    public FakeCommandRunner Runner { get; } = new();

    public InMemoryDeviceSide DeviceSide { get; private set; } = null!;

    public InMemoryMirrorSide MirrorSide { get; private set; } = null!;

    /// <summary>The device's end of the latest session.</summary>
    public DeviceExchange? Endpoint { get; private set; }

    /// <summary>The channel of the latest session.</summary>
    public InMemoryChannel? Channel { get; private set; }

    /// <summary>Both nodes die and come back: in-memory state is rebuilt from the journals.</summary>
    public async Task Restart()
    {
        MirrorSide = new InMemoryMirrorSide(Device, MirrorJournal, MirrorClock);
        DeviceSide = await InMemoryDeviceSide.Start(Device, DeviceJournal, DeviceClock, Runner);
    }

    /// <summary>Runs one exchange; <paramref name="configure"/> may set a cut, <paramref name="wrap"/> may tamper.</summary>
    public Task<ExchangeReport> Exchange(Action<InMemoryChannel>? configure = null, Func<IExchangeChannel, IExchangeChannel>? wrap = null,
        ExchangeSettings? deviceSettings = null)
    {
        Endpoint = new DeviceExchange(Device, DeviceSide, deviceSettings ?? Settings);
        Channel = new InMemoryChannel(Endpoint);
        configure?.Invoke(Channel);
        IExchangeChannel channel = wrap is null ? Channel : wrap(Channel);
        var exchange = new MirrorExchange(Device, MirrorSide, channel, Settings);
        return exchange.Run($"session-{++_sessions}", CancellationToken.None);
    }

    /// <summary>Runs an exchange and insists it converged.</summary>
    public async Task<ExchangeReport> Converge()
    {
        var report = await Exchange();
        Assert.True(report.Converged, report.ToString());
        return report;
    }

    public int Count<T>() where T : ExchangeMessage => Channel?.Requests.OfType<T>().Count() ?? 0;

    /// <summary>The checks that hold after any converged exchange, however it was reached.</summary>
    public void AssertConvergedInvariants()
    {
        var mirror = MirrorSide.State.Logs;
        var device = DeviceSide.State.Logs;
        Assert.Equal(mirror.View, device.View);
        Assert.Equal(mirror.Model.Digest(), device.Model.Digest());

        foreach (var journal in new[] { MirrorJournal, DeviceJournal })
            foreach (var origin in new[] { Origin.Device, Origin.Mirror })
            {
                var entries = journal.Entries(origin);
                Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
                Assert.Equal(entries.Count, entries.Select(e => e.Hash).Distinct().Count());
            }
        Assert.Equal(MirrorSide.MirrorLog.Hashes(), DeviceSide.MirrorLogReplica.Hashes());
        Assert.Equal(DeviceSide.DeviceLog.Hashes(), MirrorSide.DeviceLogReplica.Hashes());

        var commands = MirrorSide.MirrorLog.Concat(MirrorSide.DeviceLogReplica)
            .Where(e => e.Kind == EntryKind.Command && PropertyCommand.IsDeviceCommand(e.Argv))
            .ToList();
        var results = MirrorSide.DeviceLogReplica.Where(e => e.Kind == EntryKind.Result).ToList();
        foreach (var command in commands)
        {
            Assert.Single(results, r => r.Target == command.Ref);
            Assert.InRange(Runner.CountOf(command.Argv), 0, 1);
        }
        Assert.Equal(commands.Count, results.Count);
        Assert.Empty(mirror.Model.OpenCommands);
        Assert.Empty(device.Model.OpenCommands);
        Assert.Empty(DeviceSide.State.Started);
    }
}
