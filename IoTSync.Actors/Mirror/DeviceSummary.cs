using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>
/// What the fleet listing and the liveness judge need of a device, and nothing more: its window facts (last
/// heartbeat, cycle period, the device's last window report, whether the last heartbeat's window has closed, a
/// repeated session failure), what is wrong with it (corruption, divergence, digest mismatch, as people read them),
/// and its logs' heads (lengths, delivered through, open commands, state digest). A few hundred bytes, computed by
/// the pure <see cref="Of"/> from a <see cref="StateJournalState"/>; each device's journal posts it to the
/// <see cref="DeviceBoard"/> whenever it changes, so listings and the <see cref="HealthWatch"/> read it without
/// waking the journal. Equal summaries are the same device standing (records compare by value).
/// </summary>
/// <param name="Device">The device.</param>
/// <param name="LastHeartbeatAtUnixMs">When the mirror last recorded a heartbeat of it; null: never.</param>
/// <param name="CyclePeriodMs">The cycle period its last heartbeat reported.</param>
/// <param name="LastDeviceWindow">The device's own report of its last window.</param>
/// <param name="WindowClosedSinceHeartbeat"><see cref="Liveness.WindowClosedSinceHeartbeat"/>.</param>
/// <param name="RepeatedSessionFailure"><see cref="WindowHistory.RepeatedSessionFailure"/>.</param>
/// <param name="Corruption">What made its journal corrupt (<see cref="Logs.RecoveryFault.Describe"/>); null when it is not.</param>
/// <param name="Divergence">How it diverged (<see cref="StateJournalEvents.DivergenceDetected.Describe"/>); null when it did not.</param>
/// <param name="Mismatch"><see cref="StateJournalState.Mismatch"/>.</param>
/// <param name="DeviceLog">Length of the device log the mirror holds.</param>
/// <param name="MirrorLog">Length of the mirror log.</param>
/// <param name="DeliveredThrough">How far the device confirmed the mirror log.</param>
/// <param name="OpenCommands">Commands no result has closed yet.</param>
/// <param name="StateDigest">The model's digest over both logs, as text.</param>
public sealed record DeviceSummary(
    DeviceId Device,
    long? LastHeartbeatAtUnixMs,
    long CyclePeriodMs,
    WindowReport? LastDeviceWindow,
    bool WindowClosedSinceHeartbeat,
    string? RepeatedSessionFailure,
    string? Corruption,
    string? Divergence,
    string? Mismatch,
    long DeviceLog,
    long MirrorLog,
    long DeliveredThrough,
    int OpenCommands,
    string StateDigest) : IIoTSyncMessage
{
    public bool IsCorrupt => Corruption is not null;

    public bool IsDiverged => Divergence is not null;

    /// <summary>The summary of what a <see cref="StateJournal"/> holds (with its window history). Pure.</summary>
    public static DeviceSummary Of(StateJournalState state)
    {
        var history = state.History;
        var view = state.Logs.View;
        return new DeviceSummary(
            state.Device,
            history.LastHeartbeatAtUnixMs,
            history.CyclePeriodMs,
            history.LastDeviceWindow,
            Liveness.WindowClosedSinceHeartbeat(history),
            history.RepeatedSessionFailure,
            state.Corruption?.Describe(),
            state.Divergence?.Describe(),
            state.Mismatch,
            view.DeviceLog.Length,
            view.MirrorLog.Length,
            state.DeliveredThrough,
            state.Logs.Model.OpenCommands.Count,
            view.StateDigest.ToString());
    }
}
