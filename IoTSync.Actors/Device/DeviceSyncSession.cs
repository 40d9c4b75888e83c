using Akka.Actor;
using Akka.Event;
using IoTSync.Model;
using IoTSync.Sync;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Device;

/// <summary>
/// The device's half of one sync session over a pair of streams, whoever opened them: the mirror's SSH
/// session relayed to the control socket (direct mode), or the device's own SSH session to the mirror host
/// (reverse mode). The <see cref="NetworkToggler"/> hears when it starts and ends, so the window can close
/// at once; <paramref name="last"/> hears when it ended (what the status reports).
/// </summary>
public sealed class DeviceSyncSession(DeviceId device, IActorRef recorder, ExchangeSettings exchange, TimeSpan timeout, ILoggingAdapter log,
    Security.Refusals refusals, Logs.IWallClock wall, LastSyncSession last)
{

    /// <summary>
    /// Serves one exchange: requests from <paramref name="fromMirror"/>, answers to <paramref name="toMirror"/>, until the
    /// mirror ends it (<see cref="StreamExchangeServer.Serve"/>); <paramref name="via"/> names the path in the log lines.
    /// </summary>
    public async Task Run(Stream fromMirror, Stream toMirror, IActorRef? cycle, string via, CancellationToken stopping)
    {
        log.Info("[{0}] sync session opened {1}", device, via);
        cycle?.Tell(SessionStarted.Instance);
        try
        {
            var deviceExchange = new DeviceExchange(device, new CommandRecorderSide(recorder, timeout), exchange);
            var halt = ExchangeHalt.FromEnvironment();
            await StreamExchangeServer.Serve(deviceExchange, fromMirror, toMirror, stopping,
                afterHandled: halt is null ? null : request => halt.After(request, device, log, stopping),
                malformed: reason =>
                {
                    refusals.Count(Security.Refusals.FrameMalformed);
                    log.Warning("[{0}] sync session refused a malformed frame: {1}", device, reason);
                });
            log.Info("[{0}] sync session closed", device);
        }
        finally
        {
            last.Ended(wall.UtcNowMs);
            cycle?.Tell(SessionEnded.Instance);
        }
    }
}

/// <summary>When the device's last sync session ended, by either path (thread-safe; the node's parts hold one).</summary>
public sealed class LastSyncSession
{
    private long _endedUnixMs;

    /// <summary>Unix ms, 0 before the first session.</summary>
    public long EndedUnixMs => Interlocked.Read(ref _endedUnixMs);

    public void Ended(long unixMs) => Interlocked.Exchange(ref _endedUnixMs, unixMs);
}
