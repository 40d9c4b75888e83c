using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Sync;

namespace IoTSync.Testing.Sync;

/// <summary>Carries requests to a <see cref="DeviceExchange"/> through the wire codec, both ways.</summary>
public sealed class CodecChannel(DeviceExchange device) : IExchangeChannel
{
    public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
    {
        var answer = await device.Handle(RoundTrip(request), cancellationToken);
        return RoundTrip(answer);
    }

    private static ExchangeMessage RoundTrip(ExchangeMessage message) =>
        (ExchangeMessage)IoTSyncCodec.Decode(IoTSyncCodec.Encode(message), IoTSyncCodec.ManifestOf(message));
}
