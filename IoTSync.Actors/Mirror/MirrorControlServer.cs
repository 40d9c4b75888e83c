using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Protocol;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The running mirror node's control socket: <c>enroll</c>, <c>exec</c>, <c>cancel</c>,
/// <c>devices</c>, <c>state</c> and <c>device disable|enable|rotate</c> reach the node's actors
/// through it, so the CLI never opens the journal as a second writer. A disabled device gets no new commands.
/// </summary>
public sealed class MirrorControlServer : IAsyncDisposable
{
    public const string NodeName = "mirror node";

    private readonly IActorRef _registry;
    private readonly DeviceKeyCache _devices;
    private readonly IActorRef _journals;
    private readonly MirrorKeyPair _key;
    private readonly MirrorControlSettings _settings;
    private readonly Func<DeviceId, StateJournalState, DeviceSummary> _summarise;
    private readonly IWallClock _wall;
    private readonly ILoggingAdapter _log;
    private readonly Security.Refusals _refusals;
    private UnixSocketServer? _server;

    private MirrorControlServer(IActorRef registry, DeviceKeyCache devices, IActorRef journals, MirrorKeyPair key,
        MirrorControlSettings settings, Func<DeviceId, StateJournalState, DeviceSummary> summarise, IWallClock wall, ILoggingAdapter log,
        Security.Refusals refusals)
    {
        _refusals = refusals;
        _registry = registry;
        _devices = devices;
        _journals = journals;
        _key = key;
        _settings = settings;
        _summarise = summarise;
        _wall = wall;
        _log = log;
    }

    public static async Task<MirrorControlServer> Start(string path, IActorRef registry, DeviceKeyCache devices, IActorRef journals, MirrorKeyPair key,
        MirrorControlSettings settings, Func<DeviceId, StateJournalState, DeviceSummary> summarise, IWallClock wall, ILoggingAdapter log,
        Security.Refusals? refusals = null)
    {
        var server = new MirrorControlServer(registry, devices, journals, key, settings, summarise, wall, log, refusals ?? new Security.Refusals());
        server._server = await UnixSocketServer.Start(path, NodeName, server.Serve);
        return server;
    }

    private async Task Serve(NetworkStream stream, CancellationToken stopping)
    {
        ControlMessage answer;
        try
        {
            var request = await FrameCodec.Read<ControlMessage>(stream, ControlConnection.MaxRequestBytes, stopping);
            if (request is null)
                return;
            answer = await Answer(request, stopping);
        }
        catch (FrameException e)
        {
            _refusals.Count(Security.Refusals.ControlMalformed);
            _log.Warning("malformed request on the mirror's control socket: {0}", e.Message);
            answer = new ControlError($"malformed request: {e.Message}");
        }
        catch (Exception e) when (e is AskTimeoutException or ArgumentException or InvalidOperationException or RequestRefused)
        {
            answer = new ControlError(e.Message);
        }
        await ControlConnection.TryWrite(stream, answer, stopping);
    }

    private async Task<ControlMessage> Answer(ControlMessage request, CancellationToken stopping) => request switch
    {
        EnrollRequest enroll => await Enroll(enroll, stopping),
        SubmitRequest submit => await Submit(submit, stopping),
        CancelRequest cancel => await Cancel(cancel, stopping),
        CommandStatusRequest status => await CommandStatus(status, stopping),
        FleetRequest => await Fleet(stopping),
        DeviceStateRequest state => await State(state, stopping),
        WindowsRequest windows => await Windows(windows, stopping),
        DisableRequest disable => await Disable(disable, stopping),
        RotateRequest rotate => await Rotate(rotate, stopping),
        RefusalsRequest => new RefusalsReply(RefusalCount.From(_refusals)),
        _ => Unserved(request),
    };

    private ControlError Unserved(ControlMessage request)
    {
        _refusals.Count(Security.Refusals.ControlMalformed);
        return new ControlError($"{request.GetType().Name} is not a request the {NodeName} serves");
    }

    private async Task<ControlMessage> Enroll(EnrollRequest request, CancellationToken stopping)
    {
        var line = _key.AuthorizedKeysLine(request.FromAddress ?? _settings.OutwardAddress, request.DeviceCommand ?? _settings.DeviceCommand);
        var device = request.Device with { EnrolledAtUnixMs = _wall.UtcNowMs };
        return await _registry.Ask<object>(new Enrol(device), _settings.Timeout, stopping) switch
        {
            Enrolled enrolled => new EnrollReply(enrolled.Device, line),
            EnrolRefused refused => new ControlError($"cannot enroll {device.Device}: {refused.Reason}"),
            var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry"),
        };
    }

    private async Task<ControlMessage> Disable(DisableRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        object command = request.Disable ? new DeviceRegistryMessages.Disable(device, _wall.UtcNowMs) : new DeviceRegistryMessages.Enable(device, _wall.UtcNowMs);
        return await _registry.Ask<object>(command, _settings.Timeout, stopping) switch
        {
            DeviceChanged changed => new DisableReply(device.Value, changed.Device.Disabled),
            ChangeRefused refused => new ControlError($"refused: {refused.Reason}"),
            var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry"),
        };
    }

    private async Task<ControlMessage> Rotate(RotateRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        var now = _wall.UtcNowMs;
        // The device's own mirror key beside the node's, owner-only like it; named for the device and the moment.
        var sshKey = MirrorKeyPair.LoadOrCreate(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_key.PrivateKeyPath}.{device}.{now}"));
        var line = sshKey.AuthorizedKeysLine(request.FromAddress ?? _settings.OutwardAddress, request.DeviceCommand ?? _settings.DeviceCommand);
        switch (await _registry.Ask<object>(new DeviceRegistryMessages.Rotate(device, request.HeartbeatKey, now, sshKey.PrivateKeyPath, request.Certificate),
                    _settings.Timeout, stopping))
        {
            case DeviceChanged:
                var refusedFrom = new RetiredCredentials("", now).RefusedFromUnixMs(_devices.RotationOverlap);
                var certificate = request.Certificate is { } pin
                    ? $"pinned {pin.Sha256} (valid until {pin.NotAfterUnixMs} unix ms); the previous certificate is honoured until {refusedFrom} unix ms"
                    : "not rotated (no --csr): the pinned certificate, if any, stays";
                return new RotateReply(device.Value, line, refusedFrom, certificate);
            case ChangeRefused refused:
                File.Delete(sshKey.PrivateKeyPath);
                File.Delete(sshKey.PrivateKeyPath + ".pub");
                return new ControlError($"refused: {refused.Reason}");
            case var other:
                throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry");
        }
    }

    private async Task<ControlMessage> Submit(SubmitRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        if (_devices.StandingOf(device) == DeviceStanding.Disabled)
        {
            _refusals.Count(Security.Refusals.DeviceDisabled);
            _log.Warning("[{0}] command from {1} refused: the device is disabled", device, request.Issuer);
            return new ControlError($"refused: {device} is disabled; no new commands are stored for it");
        }
        var expiresIn = request.ExpiresInMs is { } ms ? TimeSpan.FromMilliseconds(ms) : _settings.CommandExpiresAfter;
        var notAfter = _wall.UtcNowMs + (long)expiresIn.TotalMilliseconds;
        return Written(await _journals.Ask<object>(new SubmitCommand(device, request.Argv, request.Issuer, notAfter), _settings.Timeout, stopping));
    }

    private async Task<ControlMessage> Cancel(CancelRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        return Written(await _journals.Ask<object>(new CancelCommand(device, request.Sequence, request.Issuer), _settings.Timeout, stopping));
    }

    private static ControlMessage Written(object answer) => answer switch
    {
        Submitted submitted => new SubmitReply(submitted.Entry),
        SubmitRefused refused => new ControlError($"refused: {refused.Reason}"),
        _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name} from the state journal"),
    };

    private async Task<ControlMessage> CommandStatus(CommandStatusRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        var reply = await _journals.Ask<CommandStatusReply>(new GetCommandStatus(device, request.Sequence), _settings.Timeout, stopping);
        return new CommandStatusAnswer(reply.Sequence, reply.Status, reply.Command, reply.Result);
    }

    private async Task<ControlMessage> Fleet(CancellationToken stopping)
    {
        var enrolled = (await _registry.Ask<Devices>(ListDevices.Instance, _settings.Timeout, stopping)).All;
        var states = await Task.WhenAll(enrolled.Select(d =>
            StateOf(d.Device, stopping)));
        return new FleetReply([.. enrolled.Zip(states, (device, state) =>
        {
            var summary = _summarise(device.Device, state);
            return summary with
            {
                SshEndpoint = $"{device.SshUser}@{device.SshHost}:{device.SshPort}",
                Status = device.Disabled ? "disabled" : summary.Status,
            };
        })]) { Refusals = RefusalCount.From(_refusals) };
    }

    private async Task<ControlMessage> State(DeviceStateRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        var state = await StateOf(device, stopping);
        var model = state.Logs.Model;
        return new DeviceStateReply(device.Value, state.Logs.View, state.DeliveredThrough, state.Divergence?.Describe(),
            [.. model.LiveProperties.Select(p => new NamedValue(p.Key, p.Value))],
            [.. model.OpenCommands.Values.Select(c => $"{c.Ref} {string.Join(' ', c.Argv)}{(c.CancelRequested ? " (cancelling)" : "")}")])
        {
            Corruption = state.Corruption?.Describe(),
            Mismatch = state.Mismatch,
        };
    }

    private async Task<ControlMessage> Windows(WindowsRequest request, CancellationToken stopping)
    {
        var device = Enrolled(request.Device);
        var state = await StateOf(device, stopping);
        return new WindowsReply(device.Value, state.History.WindowCount, state.History.CyclePeriodMs, state.History.Last(request.Last));
    }

    private Task<StateJournalState> StateOf(DeviceId device, CancellationToken stopping) =>
        _journals.Ask<StateJournalState>(new GetJournalState(device), _settings.Timeout, stopping);

    /// <summary>An enrolled device's id; anything else is refused before any actor is created for it.</summary>
    private DeviceId Enrolled(string device)
    {
        if (!DeviceId.IsValid(device))
            throw new RequestRefused($"'{device}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
        var id = new DeviceId(device);
        if (_devices.Find(id) is null)
            throw new RequestRefused($"device '{device}' is not enrolled");
        return id;
    }

    private sealed class RequestRefused(string message) : Exception(message);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
