using System.Net.Sockets;
using IoTSync.Model;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// A reverse device's session as it reached the mirror's session socket through the relay: the
/// connection (the exchange runs over it once the replicator takes it) and the end its server waits
/// for. <see cref="End"/> closes the mirror's side and lets the server go.
/// </summary>
public sealed class ReverseArrival(DeviceId device, NetworkStream stream)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DeviceId Device => device;

    public NetworkStream Stream => stream;

    /// <summary>Completes once the session is over (<see cref="End"/>).</summary>
    public Task Ended => _ended.Task;

    /// <summary>
    /// Ends the mirror's output (the relay then exits, and the device sees the end of its input, as
    /// in direct mode when the mirror closes the SSH session's stdin) and releases the connection.
    /// </summary>
    public void End()
    {
        try
        {
            stream.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed by the relay going away.
        }
        _ended.TrySetResult();
    }
}
