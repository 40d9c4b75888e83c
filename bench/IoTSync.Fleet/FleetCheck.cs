using IoTSync.Logs;
using IoTSync.MirrorApi.Client;
using IoTSync.Model;

namespace IoTSync.Fleet;

/// <summary>
/// After the run: each device's own view (both logs' heads and the state digest) compared with the mirror's
/// state of it read through the API (of node i mod M for device i, so every node is read; the next node's when
/// that one is gone); both of its logs
/// compared entry by entry (sequence and hash) with the mirror's through the same API; every command left at
/// the mirror found with exactly one result in the device's log and run exactly once by its runner; every
/// command the device gave itself in its log once.
/// </summary>
/// <param name="Devices">Devices compared.</param>
/// <param name="Converged">Devices whose view equals the mirror's.</param>
/// <param name="LogsEqual">Devices whose device log and mirror log equal the mirror's entry by entry.</param>
/// <param name="CommandsLeft">Commands left at the mirror for the devices.</param>
/// <param name="ResultedOnce">Of those, the ones with exactly one result in the device log.</param>
/// <param name="RanOnce">Of those, the ones the device's runner ran exactly once.</param>
/// <param name="LocalCommands">Commands the devices gave themselves.</param>
/// <param name="LocalCommandsOnce">Of those, found once in the device log (and with equal views, in the mirror's replica).</param>
/// <param name="OpenAtMirror">Commands the mirror still holds open for the devices.</param>
/// <param name="Mismatches">The first devices whose views differ, each with both views.</param>
public sealed record FleetCheck(int Devices, int Converged, int LogsEqual, int CommandsLeft, int ResultedOnce, int RanOnce, int LocalCommands, int LocalCommandsOnce,
    int OpenAtMirror, IReadOnlyList<string> Mismatches)
{
    public bool Passed => Converged == Devices && LogsEqual == Devices && ResultedOnce == CommandsLeft && RanOnce == CommandsLeft && LocalCommandsOnce == LocalCommands && OpenAtMirror == 0;

    public static async Task<FleetCheck> Of(IReadOnlyList<SimulatedDevice> devices, IReadOnlyList<MirrorApiClient> apis, int concurrency)
    {
        var next = -1;
        var (converged, logsEqual, resulted, ran, localOnce, open) = (0, 0, 0, 0, 0, 0);
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, devices.Count)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < devices.Count)
            {
                var device = devices[n];
                var (state, mirrorDeviceLog, mirrorMirrorLog) = await Read(apis, n, device.Id);
                await device.Gate.WaitAsync();
                try
                {
                    var own = device.Side.State.Logs.View;
                    var mirror = state.View.ToView();
                    if (own == mirror)
                        Interlocked.Increment(ref converged);
                    else
                        mismatches.Add($"{device.Id}: device {own}; mirror {mirror}");
                    Interlocked.Add(ref open, state.OpenCommands.Count);
                    var log = device.Side.DeviceLog;
                    var deviceLogDiffers = Differs("device", log, mirrorDeviceLog);
                    var mirrorLogDiffers = Differs("mirror", device.Side.MirrorLogReplica, mirrorMirrorLog);
                    if (deviceLogDiffers is null && mirrorLogDiffers is null)
                        Interlocked.Increment(ref logsEqual);
                    else
                        mismatches.Add($"{device.Id}: {deviceLogDiffers ?? mirrorLogDiffers}");
                    foreach (var (sequence, argv) in device.LeftAtMirror)
                    {
                        if (log.Count(e => e.Kind == EntryKind.Result && e.Target == new CommandRef(Origin.Mirror, sequence)) == 1)
                            Interlocked.Increment(ref resulted);
                        if (device.Runner.CountOf(argv) == 1)
                            Interlocked.Increment(ref ran);
                    }
                    var given = log.Count(e => e.Kind == EntryKind.Command && e.Argv is ["set", "fleet-local", _]);
                    if (given == device.LocalCommands)
                        Interlocked.Add(ref localOnce, given);
                }
                finally
                {
                    device.Gate.Release();
                }
            }
        })));
        return new FleetCheck(devices.Count, converged, logsEqual, devices.Sum(d => d.LeftAtMirror.Count), resulted, ran, devices.Sum(d => d.LocalCommands), localOnce, open,
            [.. mismatches.Take(10)]);
    }

    /// <summary>
    /// The device's state and both its logs through node <paramref name="n"/> mod M's API, or the next node's when that
    /// one cannot be reached (a node that died in the run).
    /// </summary>
    private static async Task<(MirrorApi.Resources.DeviceStateResource State, List<(long Sequence, string Hash)> DeviceLog, List<(long Sequence, string Hash)> MirrorLog)> Read(
        IReadOnlyList<MirrorApiClient> apis, int n, DeviceId device)
    {
        for (var k = 0; ; k++)
        {
            var api = apis[(n + k) % apis.Count];
            try
            {
                return (await api.State(device.Value), await Entries(api, device, "device"), await Entries(api, device, "mirror"));
            }
            catch (HttpRequestException e) when (e is not MirrorApiException && k + 1 < apis.Count)
            {
                // Not reachable: the next node reads it.
            }
        }
    }

    /// <summary>One of the device's logs as the mirror holds it: (sequence, hash) of every entry, page by page.</summary>
    private static async Task<List<(long Sequence, string Hash)>> Entries(MirrorApiClient api, DeviceId device, string origin)
    {
        var entries = new List<(long, string)>();
        long? from = 1;
        while (from is { } start)
        {
            var page = await api.Entries(device.Value, origin, start);
            entries.AddRange(page.Entries.Select(e => (e.Sequence, e.Hash)));
            from = page.Next;
        }
        return entries;
    }

    /// <summary>Where the simulator's log and the mirror's differ, or null when they are equal entry by entry.</summary>
    private static string? Differs(string origin, IReadOnlyList<LogEntry> simulator, List<(long Sequence, string Hash)> mirror)
    {
        for (var i = 0; i < Math.Max(simulator.Count, mirror.Count); i++)
        {
            if (i >= simulator.Count || i >= mirror.Count)
                return $"{origin} log: the simulator holds {simulator.Count} entries, the mirror {mirror.Count}";
            if (simulator[i].Sequence != mirror[i].Sequence || simulator[i].Hash.ToString() != mirror[i].Hash)
                return $"{origin} log entry {simulator[i].Sequence}: the simulator's {simulator[i].Hash}, the mirror's {mirror[i].Sequence} {mirror[i].Hash}";
        }
        return null;
    }
}
