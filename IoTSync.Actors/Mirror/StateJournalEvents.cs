using IoTSync.Journal;
using IoTSync.Serialization;

namespace IoTSync.Mirror;

/// <summary>Journal events of the <see cref="StateJournal"/> besides <see cref="EntryAppended"/>.</summary>
public static class StateJournalEvents
{
    /// <summary>The device confirmed it holds the mirror log up to this length (commands up to it are delivered).</summary>
    public sealed record DeliveryConfirmed(long MirrorLogLength) : IIoTSyncMessage;

    /// <summary>The device's log or its view of ours contradicts what the mirror holds; syncing stops for it.</summary>
    public sealed record DivergenceDetected(Origin Log, Verdict Verdict, long Sequence, string Detail, long AtUnixMs) : IIoTSyncMessage
    {
        public string Describe() => $"diverged in the {Log} log: {Verdict} at {Sequence}: {Detail}";
    }
}
