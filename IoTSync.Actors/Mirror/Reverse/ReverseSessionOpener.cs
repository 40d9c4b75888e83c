using IoTSync.Mirror.Ssh;
using IoTSync.Protocol;
using IoTSync.Sync;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// The replicator's opener for a reverse device: it waits, bounded by <paramref name="arrivalTimeout"/>,
/// for the device's own session to arrive through the relay (<see cref="SessionRendezvous{TArrival}"/>),
/// and runs the exchange over that connection, the mirror still driving it.
/// </summary>
public sealed class ReverseSessionOpener(SessionRendezvous<ReverseArrival> rendezvous, TimeSpan arrivalTimeout, int maxFrameBytes = FrameCodec.DefaultMaxFrameBytes)
    : IDeviceSessionOpener
{
    public async Task<IDeviceSession> Open(DeviceListing device, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(arrivalTimeout);
        try
        {
            var arrival = await rendezvous.Expect(device.Device, bounded.Token);
            return new Session(arrival, watch.Elapsed, maxFrameBytes);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SshTransportException($"device {device.Device} did not dial in within {arrivalTimeout.TotalSeconds:0.###} s (reverse mode)");
        }
    }

    private sealed class Session(ReverseArrival arrival, TimeSpan waited, int maxFrameBytes) : IDeviceSession
    {
        public IExchangeChannel Channel { get; } = new OneBreakChannel(new StreamExchangeChannel(arrival.Stream, arrival.Stream, maxFrameBytes), arrival.Device);

        public string Opening => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"reverse: the device's session met after {waited.TotalMilliseconds:0} ms");

        public ValueTask DisposeAsync()
        {
            arrival.End();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A request that failed mid-frame leaves the stream's position unknown: no further request is sent on it.</summary>
    private sealed class OneBreakChannel(IExchangeChannel inner, Model.DeviceId device) : IExchangeChannel
    {
        private volatile bool _broken;

        public async Task<ExchangeMessage> Send(ExchangeMessage request, CancellationToken cancellationToken)
        {
            if (_broken)
                throw new InvalidOperationException($"an earlier request on {device}'s reverse session failed mid-frame");
            try
            {
                return await inner.Send(request, cancellationToken);
            }
            catch
            {
                _broken = true;
                throw;
            }
        }
    }
}
