using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Sync;

namespace IoTSync.Tests.Sync;

/// <summary>When, around one request, the transport dies.</summary>
public enum ChannelCut
{
    /// <summary>The request never reaches the device.</summary>
    BeforeDelivery,

    /// <summary>The device handled the request; its answer never reaches the mirror.</summary>
    AfterHandling,
}

/// <summary>
/// Carries each request to a <see cref="DeviceExchange"/> and its answer back, both encoded and
/// decoded with <see cref="IoTSyncCodec"/> as on the wire. Can be cut at a chosen request.
/// </summary>
public sealed class InMemoryChannel(DeviceExchange device) : IExchangeChannel
{
    private readonly List<ExchangeMessage> _requests = [];
    private readonly List<ExchangeMessage> _answers = [];

    /// <summary>Requests as the device received them (after decoding), in order.</summary>
    public IReadOnlyList<ExchangeMessage> Requests => _requests;

    /// <summary>Answers as the mirror received them (after decoding), in order.</summary>
    public IReadOnlyList<ExchangeMessage> Answers => _answers;

    /// <summary>Cut the transport around request number <c>Request</c> (1-based).</summary>
    public (int Request, ChannelCut When)? Cut { get; set; }

    /// <summary>Whether the cut happened.</summary>
    public bool WasCut { get; private set; }

    private int _sent;

    public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
    {
        if (WasCut)
            throw new IOException("the channel is closed");
        _sent++;
        if (Cut is { } before && before.Request == _sent && before.When == ChannelCut.BeforeDelivery)
            throw Broken($"cut before request {_sent} ({request.GetType().Name}) was delivered");
        var delivered = RoundTrip(request);
        _requests.Add(delivered);
        var answer = await device.Handle(delivered, cancellationToken);
        if (Cut is { } after && after.Request == _sent && after.When == ChannelCut.AfterHandling)
            throw Broken($"cut after request {_sent} ({request.GetType().Name}) was handled");
        var received = RoundTrip(answer);
        _answers.Add(received);
        return received;
    }

    private IOException Broken(string detail)
    {
        WasCut = true;
        return new IOException(detail);
    }

    /// <summary>Encodes a message and decodes it again under its manifest, as the wire would.</summary>
    public static ExchangeMessage RoundTrip(ExchangeMessage message)
    {
        var manifest = IoTSyncCodec.ManifestOf(message);
        var bytes = IoTSyncCodec.Encode(message);
        return (ExchangeMessage)IoTSyncCodec.Decode(bytes, manifest);
    }
}

/// <summary>Rewrites requests on their way to the device and answers on their way back.</summary>
public sealed class TamperingChannel(
    IExchangeChannel inner,
    Func<ExchangeMessage, ExchangeMessage>? request = null,
    Func<ExchangeMessage, ExchangeMessage>? answer = null) : IExchangeChannel
{
    public async Task<ExchangeMessage> Send(ExchangeMessage message, CancellationToken cancellationToken)
    {
        var tampered = request is null ? message : request(message);
        var reply = await inner.Send(tampered, cancellationToken);
        return answer is null ? reply : answer(reply);
    }
}
