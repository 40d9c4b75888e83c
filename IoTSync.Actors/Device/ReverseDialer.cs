using Akka.Actor;
using Akka.Event;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using static IoTSync.Device.NetworkTogglerMessages;
using static IoTSync.Device.ReverseDialerMessages;

namespace IoTSync.Device;

/// <summary>
/// Reverse mode's device side: when the cycle says the mirror wants a session, it dials the mirror host's
/// sshd (SSH.NET, key only, the mirror host's key pinned), runs the relay there (forced for this device's
/// key) and serves the exchange over that channel with the control socket's own code
/// (<see cref="DeviceSyncSession"/>), the mirror driving it. Bounded by the window limit. A dial that fails
/// (a wrong host key, a refused key, no answer) ends the window at once and is logged; nothing listens here.
/// </summary>
public sealed class ReverseDialer : ReceiveActor
{
    private sealed record Dialled(IActorRef Cycle, int Window, string? Error);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceId _device;
    private readonly ReverseDialSettings _settings;
    private readonly DeviceSyncSession _sessions;
    private readonly TimeSpan _windowLimit;
    private readonly TimeSpan _closeGrace;
    private readonly Security.Refusals _refusals;
    private readonly LastAnsweringMirror? _answering;
    private bool _dialling;

    // answering: the mirror that answered last, whose host is dialled when the settings' host is empty.
    public ReverseDialer(DeviceId device, ReverseDialSettings settings, DeviceSyncSession sessions, TimeSpan windowLimit, TimeSpan closeGrace, Security.Refusals refusals,
        LastAnsweringMirror? answering = null)
    {
        (_device, _settings, _sessions, _windowLimit, _closeGrace, _refusals, _answering) = (device, settings, sessions, windowLimit, closeGrace, refusals, answering);
        Receive<DialMirror>(Dial);
        Receive<Dialled>(Finished);
    }

    public static Props Props(DeviceId device, ReverseDialSettings settings, DeviceSyncSession sessions, TimeSpan windowLimit, TimeSpan closeGrace, Security.Refusals refusals,
        LastAnsweringMirror? answering = null) =>
        Akka.Actor.Props.Create(() => new ReverseDialer(device, settings, sessions, windowLimit, closeGrace, refusals, answering));

    private void Dial(DialMirror dial)
    {
        var cycle = Sender;
        if (_dialling)
        {
            _log.Warning("[{0}] window {1}: the previous reverse session still runs; not dialling again", _device, dial.Window);
            return;
        }
        _dialling = true;
        _log.Info("[{0}] window {1}: dialling the mirror host {2}", _device, dial.Window, _settings.Describe(_answering?.Last?.Address));
        Run(cycle, dial.Window).PipeTo(Self);
    }

    private async Task<Dialled> Run(IActorRef cycle, int window)
    {
        // The window's limit bounds the whole session: the interface goes down then anyway.
        using var bounded = new CancellationTokenSource(_windowLimit);
        SshExchangeSession? session = null;
        try
        {
            session = await SshTransport.Open(_settings.Transport(_closeGrace, _answering?.Last?.Address), bounded.Token);
            var timings = session.Timings;
            await _sessions.Run(session.FromRemote, session.ToRemote, cycle, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"to the mirror host {session.Endpoint} (reverse; banner {timings.ServerIdentified.TotalMilliseconds:0}, host key {timings.HostKeyVerified.TotalMilliseconds:0}, " +
                $"authenticated {timings.Authenticated.TotalMilliseconds:0}, relay started {timings.CommandStarted.TotalMilliseconds:0} ms; {session.KeyExchangeAlgorithm})"), bounded.Token);
            return new Dialled(cycle, window, null);
        }
        catch (Exception e) when (e is SshTransportException or IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            return new Dialled(cycle, window, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            if (session is not null)
                await session.Close();
        }
    }

    private void Finished(Dialled dialled)
    {
        _dialling = false;
        if (dialled.Error is not { } error)
            return;
        if (error.StartsWith(nameof(HostKeyMismatchException), StringComparison.Ordinal))
        {
            _refusals.Count(Security.Refusals.HostKeyMismatch);
            _log.Error("[{0}] window {1}: the mirror host's SSH key is not the pinned one (iotsync.device.reverse.host-key); nothing synced: {2}",
                _device, dialled.Window, error);
        }
        else
        {
            if (error.StartsWith(nameof(SshAuthenticationFailedException), StringComparison.Ordinal))
                _refusals.Count(Security.Refusals.SshAuth);
            _log.Warning("[{0}] window {1}: reverse session failed: {2}", _device, dialled.Window, error);
        }
        dialled.Cycle.Tell(new ReverseSessionFailed(error));
    }
}
