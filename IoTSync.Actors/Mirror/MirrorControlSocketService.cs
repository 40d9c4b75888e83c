using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using IoTSync.Model;
using Microsoft.Extensions.Hosting;

namespace IoTSync.Mirror;

/// <summary>
/// The mirror node's control socket (enroll, exec, result, cancel, devices, state, windows) as a hosted
/// service: it listens once the registry and the journals are in the actor registry, and stops
/// listening before the actors stop.
/// </summary>
public sealed class MirrorControlSocketService(
    ActorSystem system,
    IRequiredActor<MirrorNodeActors.Registry> registry,
    IRequiredActor<MirrorNodeActors.Journals> journals,
    MirrorNodeParts parts) : IHostedService
{
    private MirrorControlServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = parts.Settings;
        var wall = parts.Wall;
        var windowLimitMs = (long)settings.DeviceWindowLimit.TotalMilliseconds;
        _server = await MirrorControlServer.Start(settings.ControlSocket, await registry.GetAsync(cancellationToken), parts.Devices,
            await journals.GetAsync(cancellationToken), parts.Key,
            new MirrorControlSettings(settings.OutwardAddress, settings.DeviceCommand, settings.CommandExpiresAfter, settings.RequestTimeout),
            (device, state) => Summarise(device, state, wall.UtcNowMs, parts.LateWatch.LateAfterMissedWindows, windowLimitMs),
            wall, Logging.GetLogger(system, "iotsync-mirror"), refusals: parts.Refusals);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
            await _server.DisposeAsync();
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
            windows.LastDeviceWindow is { } last ? $"{last.Number}: {last.DurationMs} ms, {last.Outcome}" : "")
        {
            Problem = Liveness.ProblemOf(state),
        };
    }
}
