using System.Diagnostics;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using IoTSync.Device;
using IoTSync.Journal;
using IoTSync.Sync;

namespace IoTSync.DeviceNode;

/// <summary>
/// <c>iotsync-device run</c>: the device's actor system — CommandRecorder, HeartbeatSender,
/// NetworkToggler — and the control socket that serves exec, status and sync-endpoint, until
/// SIGTERM or SIGINT.
/// </summary>
public static class DeviceNodeHost
{
    public static async Task<int> Run(Config config, TextWriter stdout, CancellationToken cancellationToken)
    {
        var settings = DeviceNodeSettings.FromConfig(config);
        // The resting state first, before anything else: a node that starts, or restarts after a
        // crash that left the interface up, takes it down before it reads a key or opens its journal.
        var resting = Stopwatch.StartNew();
        var networkInterface = settings.CreateInterface();
        await networkInterface.Down(cancellationToken);
        await stdout.WriteLineAsync($"iotsync-device: interface down (resting state, network {settings.Mode.ToString().ToLowerInvariant()}) in {resting.Elapsed.TotalMilliseconds:0.0} ms");
        await stdout.FlushAsync(CancellationToken.None);
        var key = settings.ReadHeartbeatKey();
        var recorderSettings = CommandRecorderSettings.FromConfig(config);
        var policy = CommandPolicy.FromConfig(config);
        var exchange = ExchangeSettings.FromConfig(config);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

        var system = ActorSystem.Create(settings.SystemName, IoTSyncSystem.Setup(config));
        try
        {
            var log = Logging.GetLogger(system, "iotsync-device");
            var device = settings.Device;
            var clock = new MirrorCorrectedClock(SystemWallClock.Instance);
            var recorder = system.ActorOf(CommandRecorder.Props(device, recorderSettings, new ProcessCommandRunner(policy), clock), "recorder");
            // The recorder answers once recovered; nothing may reach the mirror before that.
            await recorder.Ask<SyncView>(LogHolderMessages.GetView.Instance, settings.RequestTimeout, stop.Token);
            var heartbeat = system.ActorOf(HeartbeatSender.Props(device,
                new HeartbeatSenderSettings(settings.MirrorListenerPath, key, settings.InitialBackoff, settings.GiveUpAfter),
                recorder, SystemWallClock.Instance), "heartbeat");
            var cycle = system.ActorOf(NetworkToggler.Props(device, networkInterface, heartbeat, settings.Cycle, clock), "cycle");
            await using var control = await ControlSocketServer.Start(settings.ControlSocket, device, recorder, exchange, settings.RequestTimeout, log, cycle);
            log.Info("[{0}] device node running: control socket {1}, mirror {2}, network {3}, cycle {4}, window limit {5}",
                device, settings.ControlSocket, settings.MirrorListenerPath, settings.Mode, settings.Cycle.Period, settings.Cycle.WindowLimit);
            await stdout.WriteLineAsync($"iotsync-device: {device} running (control socket {settings.ControlSocket}); SIGTERM or Ctrl-C stops it");
            await stdout.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                log.Info("[{0}] stopping", device);
            }
            // The resting state is down: a stopping node leaves the interface dark.
            await networkInterface.Down(CancellationToken.None);
        }
        finally
        {
            await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        }
        return 0;
    }
}
