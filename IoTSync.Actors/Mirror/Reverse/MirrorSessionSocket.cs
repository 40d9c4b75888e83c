using System.Net.Sockets;
using Akka.Event;
using IoTSync.Control;
using IoTSync.Protocol;
using IoTSync.Security;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// The mirror's session socket (Unix domain, owner-only, or 0660 for the mirror host's sync account's
/// group): each connection is a reverse device's session arriving through the relay. The first frame
/// (<see cref="RelayArrival"/>) names the device; an arrival for a device that is not enrolled, is
/// disabled, is in direct mode, or that no session wants within the hold, is closed at once, counted in
/// <see cref="Refusals"/> and logged; the others meet the replicator's session for that device
/// (<see cref="SessionRendezvous{TArrival}"/>) and the connection stays open until that session ends.
/// Nothing here listens on the network.
/// </summary>
public sealed class MirrorSessionSocket : IAsyncDisposable
{
    public const string NodeName = "mirror node's session socket";

    // The relay writes its one frame as soon as it runs; more than this is not a relay.
    private static readonly TimeSpan ArrivalFrameTimeout = TimeSpan.FromSeconds(5);

    private readonly DeviceKeyCache _devices;
    private readonly SessionRendezvous<ReverseArrival> _rendezvous;
    private readonly TimeSpan _hold;
    private readonly ILoggingAdapter _log;
    private readonly Refusals _refusals;
    private UnixSocketServer? _server;

    private MirrorSessionSocket(DeviceKeyCache devices, SessionRendezvous<ReverseArrival> rendezvous, TimeSpan hold, ILoggingAdapter log, Refusals refusals)
    {
        (_devices, _rendezvous, _hold, _log, _refusals) = (devices, rendezvous, hold, log, refusals);
    }

    public string Path => _server?.Path ?? "";

    /// <summary>Listens on <paramref name="path"/>; <paramref name="group"/> may connect besides the node's user (the sync account's group; empty for the owner alone).</summary>
    public static async Task<MirrorSessionSocket> Start(string path, string group, DeviceKeyCache devices, SessionRendezvous<ReverseArrival> rendezvous, TimeSpan hold,
        ILoggingAdapter log, Refusals refusals)
    {
        var socket = new MirrorSessionSocket(devices, rendezvous, hold, log, refusals);
        socket._server = await UnixSocketServer.Start(path, NodeName, socket.Serve, group);
        return socket;
    }

    private async Task Serve(NetworkStream stream, CancellationToken stopping)
    {
        RelayArrival? announced;
        try
        {
            using var first = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            first.CancelAfter(ArrivalFrameTimeout);
            announced = await FrameCodec.Read<ControlMessage>(stream, ControlConnection.MaxRequestBytes, first.Token) as RelayArrival;
        }
        catch (Exception e) when (e is FrameException or OperationCanceledException && !stopping.IsCancellationRequested)
        {
            announced = null;
        }
        if (announced is null)
        {
            _refusals.Count(Refusals.FrameMalformed);
            _log.Warning("a connection to the session socket did not announce a device as the relay does; closed");
            return;
        }
        var device = announced.Device;
        if (Refusal(device) is { } refusal)
        {
            _refusals.Count(refusal.Counter);
            _log.Warning("[{0}] reverse session refused: {1}", device, refusal.Reason);
            return;
        }
        var arrival = new ReverseArrival(device, stream);
        var (outcome, displaced) = _rendezvous.Arrive(device, arrival);
        if (displaced is not null)
        {
            _refusals.Count(Refusals.ReverseArrivalRefused);
            _log.Warning("[{0}] reverse session refused: a newer one arrived before the mirror wanted either", device);
            displaced.End();
        }
        if (outcome == SessionRendezvous<ReverseArrival>.Outcome.Held
            && await Task.WhenAny(arrival.Ended, Task.Delay(_hold, stopping)) != arrival.Ended && !stopping.IsCancellationRequested
            && _rendezvous.Withdraw(device, arrival))
        {
            _refusals.Count(Refusals.ReverseArrivalRefused);
            _log.Warning("[{0}] reverse session refused: no session was wanted within {1:0.###} s", device, _hold.TotalSeconds);
            return;
        }
        _log.Debug("[{0}] reverse session arrived through the relay", device);
        // The replicator's session now owns the connection; it is served until that session ends it.
        await Task.WhenAny(arrival.Ended, Task.Delay(Timeout.Infinite, stopping));
    }

    /// <summary>Why a session for <paramref name="device"/> may not arrive at all, with its counter; null when it may.</summary>
    private (string Counter, string Reason)? Refusal(Model.DeviceId device) =>
        _devices.Find(device) switch
        {
            null => (Refusals.DeviceUnknown, "the device is not enrolled"),
            { Disabled: true } => (Refusals.DeviceDisabled, "the device is disabled"),
            { Mode: not Model.SessionMode.Reverse } => (Refusals.ReverseArrivalRefused, "the device is enrolled in direct mode"),
            _ => null,
        };

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
