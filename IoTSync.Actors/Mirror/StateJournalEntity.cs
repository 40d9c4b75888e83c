using Akka.Actor;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// One device's journal as the mirror runs it, on a single node (a child of <see cref="StateJournals"/>) and in a
/// cluster (a Cluster.Sharding entity): its <see cref="StateJournal"/> under a <see cref="JournalSupervisor"/>, which
/// starts it again after a failed write and, when it cannot be recovered at all (<see cref="Unrecoverable"/>),
/// stays and answers every request at once as corrupt (<see cref="StateJournalState.CorruptAnswer"/>) without
/// starting it again until the entity itself is started again.
/// </summary>
public static class StateJournalEntity
{
    /// <summary>A device's StateJournal failed to recover and stops: its supervisor answers for the device from now on.</summary>
    public sealed record Unrecoverable(DeviceId Device, RecoveryFault Fault) : JournalSupervisorMessages.IJournalGaveUp;

    /// <summary>The entity of <paramref name="device"/>; its journal posts the device's summary to <paramref name="board"/> when it changes.</summary>
    public static Props Props(DeviceId device, StateJournalSettings settings, IWallClock wall, DeviceBoard? board = null) =>
        JournalSupervisor.Props(StateJournal.Props(device, settings, wall, board), "journal", device.Value, settings.Journal.Restart,
            (gaveUp, request) => CorruptState(device, gaveUp).CorruptAnswer(request));

    private static StateJournalState CorruptState(DeviceId device, JournalSupervisorMessages.IJournalGaveUp gaveUp) =>
        gaveUp is Unrecoverable { Fault: var fault }
            ? StateJournalState.Empty(device) with { Corruption = fault }
            : StateJournalState.Empty(device);
}
