using System.Collections.Immutable;
using IoTSync.Serialization;

namespace IoTSync.Logs;

/// <summary>Questions both log-holding actors (CommandRecorder, StateJournal) answer the same way.</summary>
public static class LogHolderMessages
{
    /// <summary>Asks for the current <see cref="SyncView"/>.</summary>
    public sealed record GetView : IIoTSyncMessage
    {
        public static GetView Instance { get; } = new();
    }

    /// <summary>Asks for the actor's whole state record.</summary>
    public sealed record GetState : IIoTSyncMessage
    {
        public static GetState Instance { get; } = new();
    }

    /// <summary>Asks for a range of one of the two logs, read back from the journal. Answered with <see cref="LogRange"/>.</summary>
    public sealed record ReadLog(Origin Log, long FromSequence, int MaxEntries) : IIoTSyncMessage;

    /// <summary>Entries read back from the journal, in order.</summary>
    public sealed record LogRange(ImmutableArray<LogEntry> Entries) : IIoTSyncMessage;

    /// <summary>The check of a batch offered by the other side, and the view after it.</summary>
    public sealed record AppendAnswer(Verdict Verdict, long Sequence, string Detail, SyncView View) : IIoTSyncMessage
    {
        public static AppendAnswer Of(ChainCheck check, SyncView view) => new(check.Verdict, check.Sequence, check.Detail, view);

        public ChainCheck Check => new(Verdict, Sequence, Detail, []);
    }
}
