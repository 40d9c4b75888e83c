using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>Carries one request from the mirror to the device and brings back its answer.</summary>
public interface IExchangeChannel
{
    Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken);
}
