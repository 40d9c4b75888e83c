using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>
/// The device's half of a sync exchange: answers the mirror's requests one at a time. One
/// instance per session; it accepts nothing before a valid hello and nothing after done.
/// </summary>
public sealed class DeviceExchange(DeviceId device, IDeviceSide side, ExchangeSettings settings)
{
    private enum Phase { AwaitingHello, Open, Closed }

    private Phase _phase = Phase.AwaitingHello;
    private string _sessionId = "";

    /// <summary>What the device found wrong with the mirror's hello; the answer to everything after it.</summary>
    private Refused? _contradiction;

    public bool IsClosed => _phase == Phase.Closed;

    /// <summary>The limits this exchange keeps (the session's close grace among them).</summary>
    public ExchangeSettings Settings => settings;

    public async Task<ExchangeMessage> Handle(ExchangeMessage request, CancellationToken cancellationToken)
    {
        switch (_phase, request)
        {
            case (_, Refused refused):
                _phase = Phase.Closed;
                return refused;
            case (Phase.AwaitingHello, Hello hello):
                return await Greet(hello, cancellationToken);
            case (Phase.Closed, _) when _contradiction is not null:
                return _contradiction;
            case (Phase.Open, PushEntries push):
                var appended = await side.AppendMirrorEntries(push.Entries, cancellationToken);
                return appended.Check.IsRejection ? Close(Refused.From(appended.Check)) : new PushAccepted(appended.View);
            case (Phase.Open, PullRequest pull) when pull.FromSequence >= 1 && pull.MaxEntries >= 1:
                var entries = LogBatch.Fit(await side.ReadDeviceLog(pull.FromSequence, Math.Min(pull.MaxEntries, settings.MaxBatchEntries), cancellationToken),
                    settings.MaxBatchBytes);
                return new PulledEntries([.. entries]);
            case (Phase.Open, Done):
                _phase = Phase.Closed;
                return new Done(await side.GetView(cancellationToken));
            default:
                return Close(new Refused(Verdict.Malformed, 0, $"unexpected {request.GetType().Name} while {_phase}"));
        }
    }

    private async Task<ExchangeMessage> Greet(Hello hello, CancellationToken cancellationToken)
    {
        if (hello.Device != device)
            return Close(new Refused(Verdict.Malformed, 0, $"this is device {device}, not {hello.Device}"));
        if (hello.Version != ExchangeMessage.ProtocolVersion)
            return Close(new Refused(Verdict.Malformed, 0, $"protocol version {hello.Version} is not {ExchangeMessage.ProtocolVersion}"));
        _sessionId = hello.SessionId;
        var mine = await side.GetView(cancellationToken);
        var answer = new Hello(device, _sessionId, ExchangeMessage.ProtocolVersion, mine);
        var mirrorClaim = ChainVerifier.CheckClaim(mine.MirrorLog, hello.View.MirrorLog);
        var claims = mirrorClaim.IsRejection
            ? mirrorClaim
            : await PrefixCheck.OfOwnLog(device, Origin.Device, mine.DeviceLog, hello.View.DeviceLog, side.ReadDeviceLog, cancellationToken);
        if (claims.IsRejection)
        {
            // The two sides' logs contradict each other (one of them shrank or was rewritten). Only
            // the mirror can mark the device diverged, and it needs our view to see it: answer the
            // hello, but take nothing in this session; every later request gets this refusal.
            _contradiction = Refused.From(claims);
            _phase = Phase.Closed;
            return answer;
        }
        await side.LogConfirmed(cancellationToken);
        _phase = Phase.Open;
        return answer;
    }

    private Refused Close(Refused refused)
    {
        _phase = Phase.Closed;
        return refused;
    }
}
