using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Hosting;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
using IoTSync.Model;
using IoTSync.MirrorApi.Resources;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Every operation of the mirror's API, over the node's actors (the DeviceRegistry and the
/// StateJournals) and its device board: the endpoints only parse, authorise and call these. An operation checks its
/// input first and throws an <see cref="ApiProblem"/> before anything is asked of an actor, so a
/// refusal writes nothing.
/// </summary>
public sealed class MirrorOperations(
    IRequiredActor<MirrorNodeActors.Registry> registry,
    IRequiredActor<MirrorNodeActors.Journals> journals,
    IRequiredActor<MirrorNodeActors.Tokens> tokens,
    MirrorNodeParts parts,
    MirrorApiSettings api,
    Events.JournalChangeFeed changes,
    ActorSystem system)
{
    private readonly MirrorNodeSettings _settings = parts.Settings;
    private readonly ILoggingAdapter _log = Logging.GetLogger(system, "iotsync-mirror");

    /// <summary>A request that failed for a reason no refusal names: logged with the exception, answered 500.</summary>
    public void Failed(Microsoft.AspNetCore.Http.HttpRequest request, Exception e) =>
        _log.Error(e, "the API failed on {0} {1}", request.Method, request.Path);

    /// <summary>A request that did not parse: counted and logged, as the node's other refusals are.</summary>
    public void Malformed(Microsoft.AspNetCore.Http.HttpRequest request, string reason)
    {
        parts.Refusals.Count(Security.Refusals.ControlMalformed);
        _log.Warning("malformed request on the mirror's API: {0} {1}: {2}", request.Method, request.Path, reason);
    }

    /// <summary>
    /// The fleet from the node's device board: no journal is asked (or woken), whichever node holds it. A device missing from
    /// the board (its journal has posted nothing since the node, or the cluster, started) is asked; that wakes its journal,
    /// which then posts to the board.
    /// </summary>
    public async Task<DeviceList> Devices(CancellationToken cancel)
    {
        var enrolled = parts.Devices.Listings;
        var summaries = await Task.WhenAll(enrolled.Select(d => parts.Board.Find(d.Device) is { } summary ? Task.FromResult(summary) : SummaryOf(d.Device, cancel)));
        return new DeviceList([.. enrolled.Zip(summaries, Describe)]);
    }

    /// <summary>One device, from its journal (asked: the newest there is).</summary>
    public async Task<DeviceResource> Device(string id, CancellationToken cancel)
    {
        var device = Enrolled(id);
        return Describe(parts.Devices.Find(device)!, await SummaryOf(device, cancel));
    }

    private DeviceResource Describe(DeviceListing device, DeviceSummary summary)
    {
        var health = Liveness.Of(summary, parts.Wall.UtcNowMs, parts.LateWatch.LateAfterMissedWindows, (long)_settings.DeviceWindowLimit.TotalMilliseconds).Label;
        return new DeviceResource(
            device.Device.Value,
            device.Disabled ? "disabled" : health,
            Liveness.ProblemOf(summary),
            device.Disabled,
            device.Mode == SessionMode.Reverse ? "" : $"{device.SshUser}@{device.SshHost}:{device.SshPort}",
            summary.LastHeartbeatAtUnixMs,
            summary.LastDeviceWindow is { } last ? ApiResources.Of(last) : null,
            summary.DeviceLog,
            summary.MirrorLog,
            summary.DeliveredThrough,
            summary.OpenCommands,
            summary.StateDigest,
            device.Mode.Text());
    }

    private async Task<DeviceSummary> SummaryOf(DeviceId device, CancellationToken cancel) => DeviceSummary.Of(await StateOf(device, cancel));

    public async Task<DeviceStateResource> State(string id, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var state = await StateOf(device, cancel);
        var model = state.Logs.Model;
        return new DeviceStateResource(device.Value, ApiResources.Of(state.Logs.View), state.DeliveredThrough,
            model.LiveProperties.ToImmutableSortedDictionary(StringComparer.Ordinal),
            [.. model.OpenCommands.Values.Select(c => new OpenCommandResource(ApiResources.Word(c.Ref.Origin), c.Ref.Sequence, [.. c.Argv], c.CancelRequested))],
            state.Divergence?.Describe(), state.Corruption?.Describe(), state.Mismatch);
    }

    public async Task<EntryPage> Entries(string id, string? origin, long? from, int? limit, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var log = ParseOrigin(origin ?? "", "origin");
        var first = from ?? 1;
        if (first < 1)
            throw ApiProblem.BadRequest($"from must be 1 or more, not {first}", "from");
        var count = PageSize(limit);
        var state = await StateOf(device, cancel);
        var length = log == Origin.Device ? state.Logs.DeviceLog.Length : state.Logs.MirrorLog.Length;
        var entries = first > length ? [] : await Read(device, log, first, count, cancel);
        var next = first + entries.Length;
        return new EntryPage(device.Value, ApiResources.Word(log), first, length, [.. entries.Select(ApiResources.Of)], next <= length ? next : null);
    }

    /// <summary>Everything in both logs after the update numbers in <paramref name="since"/> (<c>d12,m7</c>; empty: from the start).</summary>
    public async Task<ChangeSet> Changes(string id, string? since, int? limit, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var (deviceAfter, mirrorAfter) = UpdateNumbers.Parse(since);
        var count = PageSize(limit);
        var state = await StateOf(device, cancel);
        var deviceEntries = state.Logs.DeviceLog.Length > deviceAfter ? await Read(device, Origin.Device, deviceAfter + 1, count, cancel) : [];
        var room = count - deviceEntries.Length;
        var mirrorEntries = room > 0 && state.Logs.MirrorLog.Length > mirrorAfter ? await Read(device, Origin.Mirror, mirrorAfter + 1, room, cancel) : [];
        var deviceThrough = deviceAfter + deviceEntries.Length;
        var mirrorThrough = mirrorAfter + mirrorEntries.Length;
        var more = deviceThrough < state.Logs.DeviceLog.Length || mirrorThrough < state.Logs.MirrorLog.Length;
        return new ChangeSet(device.Value, [.. deviceEntries.Select(ApiResources.Of)], [.. mirrorEntries.Select(ApiResources.Of)],
            UpdateNumbers.Format(deviceThrough, mirrorThrough), more);
    }

    public async Task<Resources.WindowList> Windows(string id, int? last, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var count = last ?? 20;
        if (count is < 1 or > WindowRetention.MaxKeepWindows)
            throw ApiProblem.BadRequest($"last must be from 1 to {WindowRetention.MaxKeepWindows}, not {count}", "last");
        var state = await StateOf(device, cancel);
        return new Resources.WindowList(device.Value, state.History.WindowCount, state.History.CyclePeriodMs, [.. state.History.Last(count).Select(ApiResources.Of)]);
    }

    public async Task<CommandResource> Submit(string id, SubmitCommandRequest request, string issuer, CancellationToken cancel)
    {
        var device = Enrolled(id);
        if (request.Argv is not { } argv)
            throw ApiProblem.BadRequest("argv is required: the command and its arguments, a list of words (no shell)", "argv");
        // The journal refuses the same (StateJournalState.RefusalOf); asked here, the answer is a 400 naming the field.
        if (ArgumentVector.Problem([.. argv]) is { } problem)
            throw ApiProblem.BadRequest(problem, "argv");
        if (request.NotAfterUnixMs is not null && request.ExpiresInMs is not null)
            throw ApiProblem.BadRequest("give notAfterUnixMs or expiresInMs, not both", "expiresInMs");
        if (request.ExpiresInMs is < 1)
            throw ApiProblem.BadRequest($"expiresInMs must be 1 or more, not {request.ExpiresInMs}", "expiresInMs");
        var now = parts.Wall.UtcNowMs;
        if (request.NotAfterUnixMs is { } notAfterAsked && notAfterAsked <= now)
            throw ApiProblem.BadRequest($"notAfterUnixMs {notAfterAsked} is not in the future (now {now})", "notAfterUnixMs");
        if (parts.Devices.StandingOf(device) == DeviceStanding.Disabled)
        {
            parts.Refusals.Count(Security.Refusals.DeviceDisabled);
            _log.Warning("[{0}] command from {1} refused: the device is disabled", device, issuer);
            throw ApiProblem.Conflict($"{device} is disabled; no new commands are stored for it");
        }
        var notAfter = request.NotAfterUnixMs ?? now + (request.ExpiresInMs ?? (long)_settings.CommandExpiresAfter.TotalMilliseconds);
        var entry = Written(await (await journals.GetAsync(cancel)).Ask<object>(new SubmitCommand(device, [.. argv], issuer, notAfter), _settings.RequestTimeout, cancel));
        return await Command(device.Value, entry.Sequence, cancel);
    }

    public async Task<CommandResource> Cancel(string id, long sequence, string issuer, CancellationToken cancel)
    {
        var device = Enrolled(id);
        await Known(device, sequence, cancel);
        Written(await (await journals.GetAsync(cancel)).Ask<object>(new CancelCommand(device, sequence, issuer), _settings.RequestTimeout, cancel));
        return await Command(device.Value, sequence, cancel);
    }

    private static LogEntry Written(object answer) => answer switch
    {
        Submitted submitted => submitted.Entry,
        SubmitRefused refused => throw ApiProblem.Conflict(refused.Reason),
        _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name} from the state journal"),
    };

    public async Task<CommandResource> Command(string id, long sequence, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var reply = await Known(device, sequence, cancel);
        var result = reply.Result is { } entry ? ApiResources.Of(entry) : null;
        return new CommandResource(device.Value, sequence, ApiResources.Word(reply.Status), result?.Result, ApiResources.Of(reply.Command!), result);
    }

    /// <summary>
    /// The command once resolved (or applied), or as it stands when <paramref name="waitMs"/> runs out
    /// (cut to the node's max-wait): woken by the device's journal writes, never by polling.
    /// </summary>
    public async Task<CommandResource> AwaitCommand(string id, long sequence, long waitMs, CancellationToken cancel)
    {
        if (waitMs < 0)
            throw ApiProblem.BadRequest($"waitMs must be 0 or more, not {waitMs}", "waitMs");
        var device = Enrolled(id);
        var wait = TimeSpan.FromMilliseconds(Math.Min(waitMs, (long)api.MaxWait.TotalMilliseconds));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        deadline.CancelAfter(wait);
        while (true)
        {
            // Asked for before the status is read, so a write in between still wakes the loop.
            var changed = changes.NextChange(device);
            var command = await Command(id, sequence, cancel);
            if (command.Status is "resolved" or "applied" || deadline.IsCancellationRequested)
                return command;
            try
            {
                await changed.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
            {
                // The wait ran out: answer with the status as it is now.
            }
        }
    }

    private async Task<CommandStatusReply> Known(DeviceId device, long sequence, CancellationToken cancel)
    {
        if (sequence < 1)
            throw ApiProblem.BadRequest($"a command's sequence is 1 or more, not {sequence}", "seq");
        var reply = await (await journals.GetAsync(cancel)).Ask<CommandStatusReply>(new GetCommandStatus(device, sequence), _settings.RequestTimeout, cancel);
        if (reply.Status == CommandStatus.Unknown || reply.Command is null)
            throw ApiProblem.NotFound($"{device} has no mirror command {sequence}");
        return reply;
    }

    public async Task<EnrolledResource> Enrol(EnrolRequest request, CancellationToken cancel)
    {
        var id = Required(request.Device, "device");
        if (!DeviceId.IsValid(id))
            throw ApiProblem.BadRequest($"'{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')", "device");
        if (!SessionModes.TryParse(request.Mode ?? "direct", out var mode))
            throw ApiProblem.BadRequest($"mode must be direct or reverse, not '{request.Mode}'", "mode");
        if (mode == SessionMode.Reverse)
            return await EnrolReverse(new DeviceId(id), request, cancel);
        if (request.DeviceSshKey is not null)
            throw ApiProblem.BadRequest("deviceSshKey is for mode reverse (a direct device is dialled by the mirror)", "deviceSshKey");
        var host = Required(request.SshHost, "sshHost");
        if (request.SshPort is < 1 or > 65535)
            throw ApiProblem.BadRequest($"sshPort must be from 1 to 65535, not {request.SshPort}", "sshPort");
        var user = Required(request.SshUser, "sshUser");
        var hostKey = Required(request.HostKey, "hostKey");
        if (!Mirror.Ssh.HostKeyFingerprint.TryParse(hostKey, out _, out string problem))
            throw ApiProblem.BadRequest(problem, "hostKey");
        var heartbeatKey = Required(request.HeartbeatKey, "heartbeatKey");
        var line = parts.Key.AuthorizedKeysLine(request.From ?? _settings.OutwardAddress, request.DeviceCommand ?? _settings.DeviceCommand);
        var device = new EnrolledDevice(new DeviceId(id), host, request.SshPort, user, hostKey, heartbeatKey, parts.Wall.UtcNowMs,
            Certificate: request.Certificate is { } pin ? new CertificatePin(pin.Sha256, pin.NotAfterUnixMs) : null);
        return await (await registry.GetAsync(cancel)).Ask<object>(new Enrol(device), _settings.RequestTimeout, cancel) switch
        {
            Enrolled enrolled => new EnrolledResource(enrolled.Device.Device.Value, $"{enrolled.Device.SshUser}@{enrolled.Device.SshHost}:{enrolled.Device.SshPort}",
                enrolled.Device.HostKeyFingerprint, enrolled.Device.Certificate?.Sha256, line),
            EnrolRefused refused => throw ApiProblem.BadRequest($"cannot enroll {id}: {refused.Reason}"),
            var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry"),
        };
    }

    /// <summary>A reverse device: its public key instead of an SSH endpoint, and the mirror host's authorized_keys line for it.</summary>
    private async Task<EnrolledResource> EnrolReverse(DeviceId id, EnrolRequest request, CancellationToken cancel)
    {
        if (request.SshHost is not null || request.SshUser is not null || request.HostKey is not null || request.SshPort != 0 || request.From is not null || request.DeviceCommand is not null)
            throw ApiProblem.BadRequest("a reverse-mode device has no sshHost, sshPort, sshUser, hostKey, from or deviceCommand: it dials the mirror host", "mode");
        if (parts.Reverse is not { } reverse)
            throw ApiProblem.BadRequest("this mirror serves no reverse sessions (iotsync.mirror.reverse.session-socket is empty)", "mode");
        if (!Mirror.Reverse.DevicePublicKey.TryParse(Required(request.DeviceSshKey, "deviceSshKey"), out var key, out var problem))
            throw ApiProblem.BadRequest(problem, "deviceSshKey");
        var device = new EnrolledDevice(id, "", 0, "", "", Required(request.HeartbeatKey, "heartbeatKey"), parts.Wall.UtcNowMs,
            Certificate: request.Certificate is { } pin ? new CertificatePin(pin.Sha256, pin.NotAfterUnixMs) : null, Mode: SessionMode.Reverse, DeviceSshKey: key.Line);
        return await (await registry.GetAsync(cancel)).Ask<object>(new Enrol(device), _settings.RequestTimeout, cancel) switch
        {
            Enrolled enrolled => new EnrolledResource(id.Value, "reverse", "", enrolled.Device.Certificate?.Sha256,
                Mirror.Reverse.ReverseAuthorizedKeys.Line(reverse.RelayCommand, reverse.SessionSocket, id, key), "reverse"),
            EnrolRefused refused => throw ApiProblem.BadRequest($"cannot enroll {id}: {refused.Reason}"),
            var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry"),
        };
    }

    /// <summary>The mirror host's authorized_keys lines for every enrolled, enabled reverse device (to regenerate the file).</summary>
    public AuthorizedKeysResource ReverseAuthorizedKeys()
    {
        // This node's copy of the registry, as every other read here: on a cluster node the registry's own answer
        // would cross to the node holding it in one message that outgrows Akka.Remote's frame with the fleet.
        var enrolled = parts.Devices.Listings;
        if (parts.Reverse is not { } reverse)
            return new AuthorizedKeysResource([]);
        return new AuthorizedKeysResource([.. enrolled
            .Where(d => d is { Mode: SessionMode.Reverse, Disabled: false, DeviceSshKey: not null })
            .OrderBy(d => d.Device.Value, StringComparer.Ordinal)
            .Select(d => Mirror.Reverse.ReverseAuthorizedKeys.Line(reverse.RelayCommand, reverse.SessionSocket, d.Device, Mirror.Reverse.DevicePublicKey.Parse(d.DeviceSshKey)))]);
    }

    public async Task<StandingResource> SetDisabled(string id, bool disable, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var now = parts.Wall.UtcNowMs;
        object command = disable ? new Disable(device, now) : new Enable(device, now);
        return await (await registry.GetAsync(cancel)).Ask<object>(command, _settings.RequestTimeout, cancel) switch
        {
            DeviceChanged changed => new StandingResource(device.Value, changed.Device.Disabled),
            ChangeRefused refused => throw ApiProblem.Conflict(refused.Reason),
            var other => throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry"),
        };
    }

    public async Task<RotatedResource> Rotate(string id, Resources.RotateRequest request, CancellationToken cancel)
    {
        var device = Enrolled(id);
        var heartbeatKey = Required(request.HeartbeatKey, "heartbeatKey");
        var now = parts.Wall.UtcNowMs;
        var pin = request.Certificate is { } certificate ? new CertificatePin(certificate.Sha256, certificate.NotAfterUnixMs) : null;
        // The device's own mirror key beside the node's, owner-only like it; named for the device and the moment.
        var sshKey = Mirror.Ssh.MirrorKeyPair.LoadOrCreate(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{parts.Key.PrivateKeyPath}.{device}.{now}"));
        var line = sshKey.AuthorizedKeysLine(request.From ?? _settings.OutwardAddress, request.DeviceCommand ?? _settings.DeviceCommand);
        switch (await (await registry.GetAsync(cancel)).Ask<object>(new DeviceRegistryMessages.Rotate(device, heartbeatKey, now, sshKey.PrivateKeyPath, pin),
                    _settings.RequestTimeout, cancel))
        {
            case DeviceChanged:
                var refusedFrom = new RetiredCredentials("", now).RefusedFromUnixMs(parts.Devices.RotationOverlap);
                var described = pin is not null
                    ? $"pinned {pin.Sha256} (valid until {pin.NotAfterUnixMs} unix ms); the previous certificate is honoured until {refusedFrom} unix ms"
                    : "not rotated: the pinned certificate, if any, stays";
                return new RotatedResource(device.Value, line, refusedFrom, pin is not null, described);
            case ChangeRefused refused:
                File.Delete(sshKey.PrivateKeyPath);
                File.Delete(sshKey.PrivateKeyPath + ".pub");
                throw ApiProblem.BadRequest($"refused: {refused.Reason}");
            case var other:
                throw new InvalidOperationException($"unexpected answer {other.GetType().Name} from the registry");
        }
    }

    public async Task<IssuedTokenResource> CreateToken(CreateTokenRequest request, CancellationToken cancel)
    {
        if (ApiTokenName.Problem(request.Name) is { } problem)
            throw ApiProblem.BadRequest(problem, "name");
        if (!ApiRoles.TryParse(request.Role, out var role))
            throw ApiProblem.BadRequest(ApiRoles.Problem(request.Role), "role");
        if (request.ValidForMs is < 1)
            throw ApiProblem.BadRequest($"validForMs must be 1 or more, not {request.ValidForMs}", "validForMs");
        var validFor = request.ValidForMs is { } ms ? TimeSpan.FromMilliseconds(ms) : (TimeSpan?)null;
        return await AskTokens(new ApiTokenStoreMessages.CreateToken(new ApiTokenName(request.Name!), role, validFor), cancel) switch
        {
            ApiTokenStoreMessages.Issued issued => new IssuedTokenResource(Of(issued.Token), issued.Bearer),
            var other => throw Refused(other),
        };
    }

    public async Task<TokenResource> RevokeToken(string name, CancellationToken cancel)
    {
        if (ApiTokenName.Problem(name) is { } problem)
            throw ApiProblem.BadRequest(problem, "name");
        return await AskTokens(new ApiTokenStoreMessages.RevokeToken(new ApiTokenName(name)), cancel) switch
        {
            ApiTokenStoreMessages.Revoked revoked => Of(revoked.Token),
            var other => throw Refused(other),
        };
    }

    public async Task<TokenList> Tokens(CancellationToken cancel) =>
        new([.. ((ApiTokenStoreMessages.TokenList)await AskTokens(ApiTokenStoreMessages.ListTokens.Instance, cancel)).All.Select(Of)]);

    private async Task<object> AskTokens(object message, CancellationToken cancel) =>
        await (await tokens.GetAsync(cancel)).Ask<object>(message, _settings.RequestTimeout, cancel) switch
        {
            Status.Failure { Cause: var cause } => throw cause,
            var answer => answer,
        };

    private TokenResource Of(ApiTokenListing token) => new(token.Name.ToString(), token.Role.Word(), token.StatusAt(parts.Wall.UtcNowMs),
        token.CreatedAtUnixMs, token.ExpiresAtUnixMs, token.RevokedAtUnixMs);

    private static ApiProblem Refused(object answer) => answer switch
    {
        ApiTokenStoreMessages.TokenRefused { Kind: TokenRefusal.Duplicate } refused => ApiProblem.Conflict(refused.Reason),
        ApiTokenStoreMessages.TokenRefused { Kind: TokenRefusal.Unknown } refused => ApiProblem.NotFound(refused.Reason),
        ApiTokenStoreMessages.TokenRefused refused => ApiProblem.BadRequest(refused.Reason),
        _ => throw new InvalidOperationException($"unexpected answer {answer.GetType().Name} from the token store"),
    };

    public RefusalsResource RefusalCounts() =>
        new(Control.RefusalCount.From(parts.Refusals).ToImmutableSortedDictionary(r => r.Kind, r => r.Count, StringComparer.Ordinal));

    private async Task<StateJournalState> StateOf(DeviceId device, CancellationToken cancel) =>
        await (await journals.GetAsync(cancel)).Ask<StateJournalState>(new GetJournalState(device), _settings.RequestTimeout, cancel);

    private async Task<ImmutableArray<LogEntry>> Read(DeviceId device, Origin log, long from, int count, CancellationToken cancel) =>
        (await (await journals.GetAsync(cancel)).Ask<LogHolderMessages.LogRange>(new ReadLogRange(device, log, from, count), _settings.RequestTimeout, cancel)).Entries;

    private int PageSize(int? limit)
    {
        var count = limit ?? api.MaxPage;
        if (count < 1 || count > api.MaxPage)
            throw ApiProblem.BadRequest($"limit must be from 1 to {api.MaxPage}, not {count}", "limit");
        return count;
    }

    private static Origin ParseOrigin(string word, string field) => word switch
    {
        "device" => Origin.Device,
        "mirror" => Origin.Mirror,
        _ => throw ApiProblem.BadRequest($"{field} must be device or mirror, not '{word}'", field),
    };

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw ApiProblem.BadRequest($"{field} is required", field) : value;

    /// <summary>An enrolled device's id; anything else is refused before any actor is asked about it.</summary>
    private DeviceId Enrolled(string id)
    {
        if (!DeviceId.IsValid(id))
            throw ApiProblem.BadRequest($"'{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')", "id");
        var device = new DeviceId(id);
        if (parts.Devices.Find(device) is null)
            throw ApiProblem.NotFound($"device '{id}' is not enrolled");
        return device;
    }
}
