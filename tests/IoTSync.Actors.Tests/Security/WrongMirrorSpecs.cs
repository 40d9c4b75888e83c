using System.Security.Cryptography;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Device;
using IoTSync.Hosting;
using IoTSync.Mirror;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Tests.Security;

/// <summary>
/// A device node (as <c>iotsync-device run</c> builds it) facing a mirror whose certificate is not from its
/// fleet CA — an attacker on the path, or a botched rotation. Akka.NET ends the system whose outbound TLS
/// handshake failed; the device must stay dark, keep its cycle, and sync again once the right mirror answers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class WrongMirrorSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-wrong-mirror-").FullName;

    /// <summary>Records what the cycle does to the interface.</summary>
    private sealed class RecordingInterface : INetworkInterface
    {
        private int _ups;
        private int _downs;

        public int Ups => Volatile.Read(ref _ups);

        public int Downs => Volatile.Read(ref _downs);

        public Task Up(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _ups);
            return Task.CompletedTask;
        }

        public Task Down(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _downs);
            return Task.CompletedTask;
        }

        public Task<bool> IsUsable(CancellationToken cancellationToken) => Task.FromResult(true);
    }

    [Fact]
    public async Task Should_stay_dark_keep_its_cycle_and_sync_again_once_the_right_mirror_answers()
    {
        var port = PrivateSshd.FreePort();
        var key = RandomNumberGenerator.GetBytes(32);
        using var fleet = new TestFleet();
        using var otherFleet = new TestFleet();
        var networkInterface = new RecordingInterface();
        var config = ConfigurationFactory.ParseString(fleet.DeviceFiles(_directory, RunningMirror.Device) + $$"""
            iotsync.device.id = "{{RunningMirror.Device.Value}}"
            iotsync.device.control-socket = "{{_directory}}/device.sock"
            iotsync.device.mirror.address = "127.0.0.1:{{port}}"
            iotsync.device.cycle { period = 1s, window-limit = 700ms }
            iotsync.device.heartbeat.give-up-after = 400ms
            iotsync.device.edge-restart-after = 100ms
            iotsync.persistence.database-path = "{{_directory}}/device.db"
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "device.hocon")));
        var settings = DeviceNodeSettings.FromConfig(config);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddDeviceNode(config, DeviceNodeParts.FromConfig(config, settings, networkInterface, key));
        using var host = builder.Build();

        await using (var wrong = await RunningMirror.Start(fleet: otherFleet, port: port, key: key))
        {
            await host.StartAsync();
            var edge = host.Services.GetRequiredService<EdgeSystem>();
            var cycle = host.Services.GetRequiredService<ActorRegistry>().Get<DeviceNodeActors.Cycle>();

            // Each window's handshake fails and ends the edge; the node starts it again and the cycle goes on.
            await Polling.Until(async () => edge.Restarts >= 2 && (await Status(cycle)).Recent.Length >= 2, RunningMirror.Timeout, "windows against the wrong mirror");
            var status = await Status(cycle);
            Assert.All(status.Recent, w => Assert.NotEqual("synced", w.Outcome));
            // Dark between windows: every window that brought the interface up took it down again.
            await Polling.Until(() => Task.FromResult(networkInterface.Downs >= networkInterface.Ups), RunningMirror.Timeout, "the interface down");
            Assert.Equal(0, (await wrong.Journals.Ask<StateJournalState>(new StateJournalMessages.GetJournalState(RunningMirror.Device), RunningMirror.Timeout)).History.WindowCount);
        }

        await using var right = await RunningMirror.Start(fleet: fleet, port: port, key: key);
        await Polling.Until(async () => (await right.Journals.Ask<StateJournalState>(
            new StateJournalMessages.GetJournalState(RunningMirror.Device), RunningMirror.Timeout)).History.WindowCount >= 1,
            RunningMirror.Timeout, "a heartbeat answered by the right mirror");
        await host.StopAsync();
    }

    private static Task<CycleStatus> Status(IActorRef cycle) => cycle.Ask<CycleStatus>(GetCycleStatus.Instance, RunningMirror.Timeout);

    public void Dispose()
    {
        foreach (var database in Directory.GetFiles(_directory, "*.db"))
            IoTSync.Persistence.SqlitePersistence.ClearPool(database);
        Directory.Delete(_directory, recursive: true);
    }
}
