using IoTSync.Model;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// Where a reverse device's session, arriving through the relay, meets the replicator's wish for it.
/// The replicator's opener <see cref="Expect"/>s one device's arrival; the session socket hands each
/// arrival to <see cref="Arrive"/>. An arrival meets the device's waiting opener at once; with none
/// waiting it is held (the device may have dialled before the replicator asked) until an opener
/// comes or its holder <see cref="Withdraw"/>s it. One of each per device: a second arrival replaces
/// the first held one (which is then refused), a second opener is refused. Locked state, no I/O, no
/// clock: the callers bound every wait.
/// </summary>
/// <typeparam name="TArrival">What arrives (the relay's connection; anything in specs).</typeparam>
public sealed class SessionRendezvous<TArrival> where TArrival : class
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DeviceId, TaskCompletionSource<TArrival>> _waiting = [];
    private readonly Dictionary<DeviceId, TArrival> _held = [];

    /// <summary>What became of an arrival.</summary>
    public enum Outcome
    {
        /// <summary>An opener was waiting and has it now.</summary>
        Met,

        /// <summary>Held for an opener; withdraw it when none comes in time.</summary>
        Held,
    }

    /// <summary>
    /// The arrival for <paramref name="device"/>: at once when one is held, else when it comes. Cancelling
    /// stops the wait (and a later arrival is held, not lost). Throws <see cref="InvalidOperationException"/>
    /// when an opener already waits for the device.
    /// </summary>
    public Task<TArrival> Expect(DeviceId device, CancellationToken cancellationToken)
    {
        TaskCompletionSource<TArrival> waiter;
        lock (_gate)
        {
            if (_held.Remove(device, out var held))
                return Task.FromResult(held);
            if (_waiting.ContainsKey(device))
                throw new InvalidOperationException($"a session for {device} is already awaited");
            waiter = new TaskCompletionSource<TArrival>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[device] = waiter;
        }
        // Registered outside the lock: a token already cancelled runs the callback at once, and it takes the lock.
        var registration = cancellationToken.Register(() =>
        {
            lock (_gate)
            {
                if (_waiting.TryGetValue(device, out var current) && current == waiter)
                    _waiting.Remove(device);
            }
            waiter.TrySetCanceled(cancellationToken);
        });
        _ = waiter.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        return waiter.Task;
    }

    /// <summary>
    /// An arrival for <paramref name="device"/>: met by the waiting opener, or held. The arrival held
    /// before it for the same device, if any, is returned as <c>Displaced</c>: its holder refuses it.
    /// </summary>
    public (Outcome Outcome, TArrival? Displaced) Arrive(DeviceId device, TArrival arrival)
    {
        while (true)
        {
            TaskCompletionSource<TArrival>? waiter;
            lock (_gate)
            {
                if (!_waiting.Remove(device, out waiter))
                {
                    _held.Remove(device, out var displaced);
                    _held[device] = arrival;
                    return (Outcome.Held, displaced);
                }
            }
            // A waiter cancelled just now is skipped; the arrival goes to the next one, or is held.
            if (waiter.TrySetResult(arrival))
                return (Outcome.Met, null);
        }
    }

    /// <summary>Takes back an arrival still held (its hold ran out): true when it was, false when an opener took it meanwhile.</summary>
    public bool Withdraw(DeviceId device, TArrival arrival)
    {
        lock (_gate)
            return _held.TryGetValue(device, out var held) && ReferenceEquals(held, arrival) && _held.Remove(device);
    }

    /// <summary>Devices with an opener waiting, and arrivals held (for status lines and specs).</summary>
    public (int Waiting, int Held) Counts
    {
        get
        {
            lock (_gate)
                return (_waiting.Count, _held.Count);
        }
    }
}
