using Akka.Event;
using IoTSync.Model;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>
/// A test hook for crash tests through real processes: with <c>IOTSYNC_TEST_HALT_AFTER=STEP</c>
/// (hello, push, pull or done) in its environment, a node stops dead in its first exchange right
/// after that step — the device after storing what the step brought and before answering, the
/// mirror after dealing with the step's answer and before its next request — logs
/// <c>TEST HOOK: halted after STEP</c> and waits there, so a test can SIGKILL it at a known point.
/// Unset (always, in production), it does nothing.
/// </summary>
public sealed class ExchangeHalt
{
    public const string EnvironmentVariable = "IOTSYNC_TEST_HALT_AFTER";

    private readonly ExchangeStep _step;
    private int _reached;

    private ExchangeHalt(ExchangeStep step) => _step = step;

    public static ExchangeHalt? FromEnvironment() =>
        Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } text
            ? Enum.TryParse<ExchangeStep>(text, ignoreCase: true, out var step)
                ? new ExchangeHalt(step)
                : throw new ArgumentException($"{EnvironmentVariable}: '{text}' is not hello, push, pull or done")
            : null;

    public static ExchangeStep? StepOf(ExchangeMessage request) => request switch
    {
        Hello => ExchangeStep.Hello,
        PushEntries => ExchangeStep.Push,
        PullRequest => ExchangeStep.Pull,
        Done => ExchangeStep.Done,
        _ => null,
    };

    /// <summary>Halts (once per process) when <paramref name="completed"/> is the step to halt after.</summary>
    public async Task After(ExchangeMessage completed, DeviceId device, ILoggingAdapter log, CancellationToken cancellationToken)
    {
        if (StepOf(completed) != _step || Interlocked.Exchange(ref _reached, 1) == 1)
            return;
        log.Warning("[{0}] TEST HOOK: halted after {1}", device, _step.ToString().ToLowerInvariant());
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>The mirror's side: wraps its channel so it halts before the request that follows the step.</summary>
    public IExchangeChannel Wrap(IExchangeChannel channel, DeviceId device, ILoggingAdapter log) => new HaltingChannel(this, channel, device, log);

    private sealed class HaltingChannel(ExchangeHalt halt, IExchangeChannel inner, DeviceId device, ILoggingAdapter log) : IExchangeChannel
    {
        private ExchangeMessage? _previous;

        public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
        {
            if (_previous is not null)
                await halt.After(_previous, device, log, cancellationToken);
            _previous = request;
            var answer = await inner.Send(request, cancellationToken);
            if (request is Done)
                await halt.After(request, device, log, cancellationToken);
            return answer;
        }
    }
}
