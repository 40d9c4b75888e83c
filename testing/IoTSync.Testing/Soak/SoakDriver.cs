using System.Collections.Concurrent;
using System.Globalization;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Testing.Rig;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.Testing.Soak;

/// <summary>
/// Leaves requests at both nodes through their control sockets (no process per request) until stopped:
/// at the mirror <c>submit</c>, at the device <c>exec</c>; three in four a command
/// <c>sh -c 'echo TOKEN &gt;&gt; LEDGER'</c>, one in four a property set, every token unique.
/// Each request is kept with the node's answer; one that got none is settled later by the logs.
/// </summary>
public sealed class SoakDriver(Deployment deployment, string ledger, string runId, TimeSpan pace)
{
    // A frozen node holds a request open: past this it counts as unanswered and the driver moves on.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(15);

    private readonly ConcurrentQueue<SoakRequest> _requests = new();

    public IReadOnlyList<SoakRequest> Requests => [.. _requests];

    /// <summary>The mirror's and the device's request loops, both until <paramref name="stop"/>.</summary>
    public Task Run(CancellationToken stop) => Task.WhenAll(Loop(SoakSide.Mirror, stop), Loop(SoakSide.Device, stop));

    /// <summary>The argument vector of the command or property set carrying <paramref name="token"/>.</summary>
    public string[] Argv(bool isProperty, SoakSide side, string token) =>
        isProperty ? ["set", $"soak-{side.ToString().ToLowerInvariant()}-{token[^1]}", token] : ["sh", "-c", $"echo {token} >> {ledger}"];

    private async Task Loop(SoakSide side, CancellationToken stop)
    {
        var prefix = side == SoakSide.Mirror ? "m" : "d";
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var token = $"{runId}{prefix}{n.ToString(CultureInfo.InvariantCulture)}";
            var isProperty = n % 4 == 3;
            _requests.Enqueue(await Send(side, token, isProperty));
            try
            {
                await Task.Delay(pace, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<SoakRequest> Send(SoakSide side, string token, bool isProperty)
    {
        var argv = Argv(isProperty, side, token);
        using var timeout = new CancellationTokenSource(RequestTimeout);
        try
        {
            if (side == SoakSide.Mirror)
            {
                using var api = MirrorApiClient.ForSocket(deployment.MirrorSocket);
                await api.Submit(deployment.DeviceId, new SubmitCommandRequest([.. argv]), timeout.Token);
            }
            else
                await ControlSocketClient.Exec(deployment.DeviceSocket, argv, "soak", timeout.Token);
            return new SoakRequest(side, token, isProperty, SoakAnswer.Recorded, null);
        }
        catch (ControlSocketException e) when (e.Message.Contains("recorded as ", StringComparison.Ordinal))
        {
            // Recorded before the journal failed (CommandRecorder.RecordedButUnfinished): issued, its outcome follows.
            return new SoakRequest(side, token, isProperty, SoakAnswer.Recorded, e.Message);
        }
        catch (MirrorApiException e) when (e.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable && e.Problem.Title != "Journal unavailable")
        {
            // The node did not answer in time: whether it wrote is not known; its outcome tells.
            return new SoakRequest(side, token, isProperty, SoakAnswer.Unanswered, $"{e.GetType().Name}: {e.Message}");
        }
        catch (Exception e) when (e is MirrorApiException || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
                                      || e is ControlSocketException && (e.InnerException is not null || !e.Message.Contains("without answering", StringComparison.Ordinal)))
        {
            // Nothing listening (the node is down), or the node's own refusal: it wrote nothing.
            return new SoakRequest(side, token, isProperty, SoakAnswer.Refused, e.Message);
        }
        catch (Exception e) when (e is ControlSocketException or IOException or OperationCanceledException or System.Net.Sockets.SocketException
                                      or IoTSync.Protocol.FrameException or HttpRequestException)
        {
            return new SoakRequest(side, token, isProperty, SoakAnswer.Unanswered, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
