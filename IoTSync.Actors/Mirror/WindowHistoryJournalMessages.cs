using Akka.Actor;

namespace IoTSync.Mirror;

/// <summary>
/// What a <see cref="StateJournal"/> and its <see cref="WindowHistoryJournal"/> tell each other.
/// Local to the pair (parent and child in one process): never serialized.
/// </summary>
public static class WindowHistoryJournalMessages
{
    /// <summary>Persist a <see cref="StateJournalEvents.HeartbeatRecorded"/> or <see cref="StateJournalEvents.SessionRecorded"/>; forwarded, so a failure goes to the asker.</summary>
    public sealed record RecordWindowEvent(object Event);

    /// <summary>The window history after <see cref="Event"/> was persisted: the parent replies to <see cref="ReplyTo"/> once it holds it.</summary>
    public sealed record WindowsChanged(WindowHistory History, object Event, IActorRef ReplyTo);

    /// <summary>The journal rejected the event: nothing changed (the asker was told); the parent goes on.</summary>
    public sealed record WindowEventNotWritten
    {
        public static WindowEventNotWritten Instance { get; } = new();
    }

    /// <summary>The window history as recovered: the parent answers window questions from here on.</summary>
    public sealed record WindowsRecovered(WindowHistory History);
}
