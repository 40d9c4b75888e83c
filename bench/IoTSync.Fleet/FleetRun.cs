using System.Diagnostics;
using System.Net.Sockets;
using Akka.Actor;
using IoTSync.Device;
using IoTSync.Mirror.Ssh;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using static IoTSync.Device.HeartbeatSenderMessages;

namespace IoTSync.Fleet;

/// <summary>
/// The fleet's cycles: every device opens one window per cycle, the windows spread evenly over the cycle.
/// A window is what a reverse-mode device does: its HeartbeatSender calls the mirror (the node that answered
/// last first, then the next it lists); when the signed answer says sync, the device dials the host sshd of the
/// node that answered (as a device's <c>host = ""</c> does) (SSH.NET, its own key, the host key pinned — the
/// production <see cref="SshTransport"/> with <see cref="ReverseDialSettings"/>), sshd forces the relay for its
/// id, and the device answers the mirror's exchange (<see cref="DeviceExchange"/> over <see cref="StreamExchangeServer"/>),
/// all bounded by the window limit. Before a window a device with work this cycle gets commands left at the
/// mirror through the API and records a command of its own (a property set). With <see cref="FleetOptions.Check"/>,
/// after the measured run every device keeps its windows, with no new work, until the mirror answers that
/// there is nothing to sync (or three cycles pass).
/// </summary>
public sealed class FleetRun(FleetOptions options, MirrorTarget target, IReadOnlyList<SimulatedDevice> devices, MirrorApiClient api, DeviceHocon hocon)
{
    private readonly ExchangeSettings _exchange = hocon.Exchange;
    private readonly HostKeyFingerprint _hostKey = HostKeyFingerprint.Parse(target.SshHostKey);

    private int _associationRetries;

    public FleetStats Stats { get; } = new();

    /// <summary>First heartbeats sent again while the associations formed (not errors of the run: a new association may take longer than a window).</summary>
    public int AssociationRetries => Volatile.Read(ref _associationRetries);

    /// <summary>How long the drain after the measured run may take at most.</summary>
    public TimeSpan DrainLimit => options.Cycle * 3 + TimeSpan.FromSeconds(10);

    /// <summary>How long one association may take to form before the run (sent again until it does).</summary>
    public static readonly TimeSpan AssociateLimit = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Before the measured run: every edge system's association to the mirror formed, by a heartbeat of its first
    /// device answered (sent again until one is), a few systems at a time. The run then measures heartbeats over
    /// formed associations, and the time the associations took is a figure of its own. Returns that time.
    /// </summary>
    public async Task<TimeSpan> Associate(IReadOnlyList<SimulatedDevice> firsts, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var atOnce = new SemaphoreSlim(16);
        await Task.WhenAll(firsts.Select(async device =>
        {
            await atOnce.WaitAsync(cancellationToken);
            // Each association's own limit, from its first attempt: thousands form a few at a time.
            var own = Stopwatch.StartNew();
            try
            {
                while (true)
                {
                    object? answer;
                    try
                    {
                        device.Refresh();
                        answer = await device.Heartbeats.Ask<object>(new SendHeartbeat(options.Cycle, null), options.WindowLimit + TimeSpan.FromSeconds(5), cancellationToken);
                    }
                    catch (AskTimeoutException)
                    {
                        answer = null;
                    }
                    device.Heartbeats.Tell(WindowEnded.Instance);
                    if (answer is MirrorAnswered)
                        return;
                    Interlocked.Increment(ref _associationRetries);
                    if (own.Elapsed > AssociateLimit)
                        throw new TimeoutException($"{device.Id}'s association to the mirror did not form within {AssociateLimit}");
                }
            }
            finally
            {
                atOnce.Release();
            }
        }));
        var formed = clock.Elapsed;
        // The answers to first heartbeats sent again arrive now, not in the first window (where the sender would count them as answers to nothing).
        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        return formed;
    }

    /// <summary>Runs the cycles; <paramref name="measured"/> is told when the measured part starts and ends (for the mirror's CPU).</summary>
    public async Task Run(Action measuredStarts, Action measuredEnds, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        measuredStarts();
        var ended = Task.Delay(options.Duration, cancellationToken).ContinueWith(_ => measuredEnds(), TaskScheduler.Default);
        await Task.WhenAll(devices.Select((device, index) => Task.Run(() => DeviceLoop(device, index, clock, cancellationToken), cancellationToken)));
        await ended;
    }

    private async Task DeviceLoop(SimulatedDevice device, int index, Stopwatch clock, CancellationToken cancellationToken)
    {
        var offset = options.Cycle * index / devices.Count;
        var random = new Random(unchecked(options.Seed * 1_000_003 + index));
        for (var cycle = 0; !cancellationToken.IsCancellationRequested; cycle++)
        {
            var slot = offset + options.Cycle * cycle;
            var measured = slot < options.Duration;
            if (!measured && (!options.Check || device.Drained || slot >= options.Duration + DrainLimit))
                return;
            var wait = slot - clock.Elapsed;
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
            var work = measured && random.NextDouble() < options.WorkFraction;
            await device.Gate.WaitAsync(cancellationToken);
            try
            {
                await Window(device, work, measured, cancellationToken);
            }
            finally
            {
                device.Gate.Release();
            }
        }
    }

    private async Task Window(SimulatedDevice device, bool work, bool measured, CancellationToken cancellationToken)
    {
        if (work)
            await LeaveWork(device, cancellationToken);
        device.Refresh();
        var window = Stopwatch.StartNew();
        object? answer;
        try
        {
            answer = await device.Heartbeats.Ask<object>(new SendHeartbeat(options.Cycle, device.LastWindow), options.WindowLimit + TimeSpan.FromSeconds(5), cancellationToken);
        }
        catch (AskTimeoutException)
        {
            answer = null;
        }
        var heartbeatMs = window.Elapsed.TotalMilliseconds;
        string outcome;
        var synced = false;
        switch (answer)
        {
            case MirrorAnswered { Ack.Action: HeartbeatAction.Sync }:
                Stats.Answered(measured, heartbeatMs);
                synced = await Session(device, window, cancellationToken);
                outcome = synced ? "synced" : "session failed";
                break;
            case MirrorAnswered { Ack.Action: HeartbeatAction.None }:
                Stats.Answered(measured, heartbeatMs);
                outcome = "nothing to sync";
                if (!measured)
                    device.Drained = true;
                break;
            case MirrorAnswered refused:
                Stats.Answered(measured, heartbeatMs);
                Stats.Error($"heartbeat answered refused: {refused.Ack.Reason.Replace(device.Id.Value, "DEVICE", StringComparison.Ordinal)}");
                outcome = "refused";
                break;
            case MirrorUnreachable:
                Stats.Error("heartbeat unanswered within the window");
                outcome = "mirror unreachable";
                break;
            case LocalJournalFault fault:
                Stats.Error($"no view for the heartbeat: {fault.Fault}");
                outcome = "local fault";
                break;
            default:
                Stats.Error("the heartbeat sender did not answer");
                outcome = "no answer";
                break;
        }
        device.Heartbeats.Tell(WindowEnded.Instance);
        device.WindowAnswered(answer is MirrorAnswered);
        device.Windows++;
        device.LastWindow = new WindowReport(device.Windows, (long)window.Elapsed.TotalMilliseconds, 0, outcome);
        Stats.Window(measured, window.Elapsed.TotalMilliseconds, synced);
    }

    /// <summary>Commands left at the mirror for the device (each with its own marker, so a second run would show), and one of the device's own.</summary>
    private async Task LeaveWork(SimulatedDevice device, CancellationToken cancellationToken)
    {
        await device.Side.Set("fleet-local", device.Windows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        device.LocalCommands++;
        for (var k = 0; k < options.CommandsPerWindow; k++)
        {
            string[] argv = ["echo", $"{device.Id.Value}-w{device.Windows}-c{k}"];
            // Bounded by a window: an application leaving work does not hold up the device's windows (a request to a
            // journal on a node that just died waits for the API's request timeout; the command then counts as not left).
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(options.WindowLimit);
            try
            {
                var left = await api.Submit(device.Id.Value, new SubmitCommandRequest(argv), bounded.Token);
                device.LeftAtMirror.Add((left.Sequence, argv));
                Stats.CommandLeft();
            }
            catch (Exception e) when (e is MirrorApiException or HttpRequestException or TaskCanceledException)
            {
                Stats.Error($"command not left at the mirror: {e.GetType().Name}");
            }
        }
    }

    /// <summary>The device's reverse session, bounded by what is left of its window; true when the exchange finished.</summary>
    private async Task<bool> Session(SimulatedDevice device, Stopwatch window, CancellationToken cancellationToken)
    {
        var left = options.WindowLimit - window.Elapsed;
        if (left <= TimeSpan.Zero)
        {
            Stats.Error("session: the window ended before the dial");
            return false;
        }
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(left);
        var node = target.Nodes[device.AnsweringNode];
        var dial = new ReverseDialSettings(node.SshHost, node.SshPort, target.SshUser, _hostKey, device.SshKeyFile, left, hocon.KeyExchange, hocon.RemoteCommand);
        SshExchangeSession? session = null;
        try
        {
            session = await SshTransport.Open(dial.Transport(_exchange.CloseGrace), bounded.Token);
            var exchange = new DeviceExchange(device.Id, device.Side, _exchange);
            await StreamExchangeServer.Serve(exchange, session.FromRemote, session.ToRemote, bounded.Token,
                malformed: reason => Stats.Error("session: a malformed frame from the mirror"));
            if (exchange.IsClosed)
                return true;
            // The mirror ended it: it refused the arrival (nobody waited for the device any more), or gave the session up.
            Stats.Error("session: ended by the mirror before the exchange was done");
            return false;
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Stats.Error("session: the window limit was reached");
            return false;
        }
        catch (Exception e) when (e is SshTransportException or IOException or SocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
        {
            Stats.Error($"session: {Why(e)}");
            return false;
        }
        finally
        {
            if (session is not null)
                await session.Close();
            device.Refresh();
        }
    }

    /// <summary>A failed session's reason without its particulars (addresses, times), so that reasons add up.</summary>
    private static string Why(Exception e) => e switch
    {
        HostKeyMismatchException or SshAuthenticationFailedException => e.GetType().Name,
        SshTransportException { Message: var m } when m.Contains("took longer than", StringComparison.Ordinal) => "the SSH connect took longer than the window allowed",
        SshTransportException { Message: var m } when m.Contains("did not start", StringComparison.Ordinal) => "the relay did not start",
        SshTransportException => $"no SSH session ({e.InnerException?.GetType().Name ?? "no cause given"})",
        _ => e.GetType().Name,
    };
}
