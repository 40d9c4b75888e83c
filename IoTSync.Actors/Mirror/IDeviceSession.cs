using IoTSync.Sync;

namespace IoTSync.Mirror;

/// <summary>A transport opened to one device for one session: its channel, and how to close it.</summary>
public interface IDeviceSession : IAsyncDisposable
{
    IExchangeChannel Channel { get; }

    /// <summary>How opening it went, for the session's log line (SSH: each step's time and the algorithms); empty when there is nothing to say.</summary>
    string Opening => "";
}
