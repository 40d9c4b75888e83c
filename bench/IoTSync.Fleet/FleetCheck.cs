using IoTSync.Logs;
using IoTSync.MirrorApi.Client;

namespace IoTSync.Fleet;

/// <summary>
/// After the run: each device's own view (both logs' heads and the state digest) compared with the mirror's
/// state of it read through the API; every command left at the mirror found with exactly one result in the
/// device's log and run exactly once by its runner; every command the device gave itself in its log once.
/// </summary>
/// <param name="Devices">Devices compared.</param>
/// <param name="Converged">Devices whose view equals the mirror's.</param>
/// <param name="CommandsLeft">Commands left at the mirror for the devices.</param>
/// <param name="ResultedOnce">Of those, the ones with exactly one result in the device log.</param>
/// <param name="RanOnce">Of those, the ones the device's runner ran exactly once.</param>
/// <param name="LocalCommands">Commands the devices gave themselves.</param>
/// <param name="LocalCommandsOnce">Of those, found once in the device log (and with equal views, in the mirror's replica).</param>
/// <param name="OpenAtMirror">Commands the mirror still holds open for the devices.</param>
/// <param name="Mismatches">The first devices whose views differ, each with both views.</param>
public sealed record FleetCheck(int Devices, int Converged, int CommandsLeft, int ResultedOnce, int RanOnce, int LocalCommands, int LocalCommandsOnce,
    int OpenAtMirror, IReadOnlyList<string> Mismatches)
{
    public bool Passed => Converged == Devices && ResultedOnce == CommandsLeft && RanOnce == CommandsLeft && LocalCommandsOnce == LocalCommands && OpenAtMirror == 0;

    public static async Task<FleetCheck> Of(IReadOnlyList<SimulatedDevice> devices, MirrorApiClient api, int concurrency)
    {
        var next = -1;
        var (converged, resulted, ran, localOnce, open) = (0, 0, 0, 0, 0);
        var mismatches = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Math.Min(concurrency, devices.Count)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < devices.Count)
            {
                var device = devices[n];
                var state = await api.State(device.Id.Value);
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
        return new FleetCheck(devices.Count, converged, devices.Sum(d => d.LeftAtMirror.Count), resulted, ran, devices.Sum(d => d.LocalCommands), localOnce, open,
            [.. mismatches.Take(10)]);
    }
}
