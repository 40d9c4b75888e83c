using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using IoTSync.Journal;
using IoTSync.Mirror;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Sync;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.MirrorNode;

/// <summary>
/// <c>iotsync-mirror run</c>: the mirror's actor system — DeviceRegistry, one StateJournal per
/// device, SshReplicator, HeartbeatListener — and the control socket the CLI uses, until SIGTERM or SIGINT.
/// </summary>
public static class MirrorNodeHost
{
    public static async Task<int> Run(Config config, TextWriter stdout, CancellationToken cancellationToken)
    {
        var settings = MirrorNodeSettings.FromConfig(config);
        var journalSettings = StateJournalSettings.FromConfig(config);
        var exchange = ExchangeSettings.FromConfig(config);
        var lateWatch = LateDeviceWatchSettings.FromConfig(config);
        var key = MirrorKeyPair.LoadOrCreate(settings.PrivateKey);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

        var system = ActorSystem.Create(settings.SystemName, IoTSyncSystem.Setup(config));
        try
        {
            var log = Logging.GetLogger(system, "iotsync-mirror");
            var wall = SystemWallClock.Instance;
            var devices = new DeviceKeyCache();
            var registry = system.ActorOf(DeviceRegistry.Props(devices), "registry");
            // Heartbeats are checked against the registry's keys: wait until it has recovered them.
            var enrolled = await registry.Ask<Devices>(ListDevices.Instance, settings.RequestTimeout, stop.Token);
            var journals = system.ActorOf(StateJournals.Props(journalSettings, wall), "devices");
            var replicator = system.ActorOf(SshReplicator.Props(devices, journals,
                new SshSessionOpener(key.PrivateKeyPath, settings.ConnectTimeout, settings.KeyExchange),
                new SshReplicatorSettings(settings.MaxConcurrentSessions, settings.SessionTimeout, settings.RequestTimeout, exchange), wall: wall), "replicator");
            system.ActorOf(HeartbeatListener.Props(devices, journals, replicator, wall,
                new HeartbeatListenerSettings(settings.HeartbeatTimeWindow, settings.RequestTimeout)), HeartbeatListener.Name);
            await using var control = await MirrorControlServer.Start(settings.ControlSocket, registry, devices, journals, key,
                new MirrorControlSettings(settings.OutwardAddress, settings.DeviceCommand, settings.CommandExpiresAfter, settings.RequestTimeout),
                (device, state) => Summarise(device, state, wall.UtcNowMs, lateWatch.LateAfterMissedWindows, (long)settings.DeviceWindowLimit.TotalMilliseconds), wall, log);
            system.ActorOf(LateDeviceWatch.Props(devices, journals, wall, lateWatch), "late-watch");
            var address = ((ExtendedActorSystem)system).Provider.DefaultAddress;
            log.Info("mirror node running: heartbeats at {0}/user/{1}, {2} device(s) enrolled, control socket {3}, SSH key {4}",
                address, HeartbeatListener.Name, enrolled.All.Length, settings.ControlSocket, key.PrivateKeyPath);
            await stdout.WriteLineAsync($"iotsync-mirror: running, heartbeats at {address}, control socket {settings.ControlSocket}; SIGTERM or Ctrl-C stops it");
            await stdout.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                log.Info("mirror node stopping");
            }
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
        return 0;
    }

    /// <summary>One line of the fleet listing from what the device's StateJournal holds.</summary>
    private static DeviceSummary Summarise(DeviceId device, StateJournalState state, long nowUnixMs, int lateAfterMissedWindows, long windowLimitMs)
    {
        var windows = state.Windows ?? WindowHistory.Empty;
        return new DeviceSummary(
            device.Value,
            "",
            Liveness.Of(state, nowUnixMs, lateAfterMissedWindows, windowLimitMs).Label,
            state.Logs.DeviceLog.Length,
            state.Logs.MirrorLog.Length,
            state.DeliveredThrough,
            state.Logs.Model.OpenCommands.Count,
            state.Logs.View.StateDigest.Short,
            windows.LastHeartbeatAtUnixMs,
            windows.LastDeviceWindow is { } last ? $"{last.Number}: {last.DurationMs} ms, {last.Outcome}" : "");
    }
}
