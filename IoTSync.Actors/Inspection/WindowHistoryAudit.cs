using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.Inspection;

/// <summary>
/// Audits one device's <see cref="WindowHistoryJournal"/> (<c>window-history-ID</c>) as its events
/// stream past: the snapshot decodes to a window history, the events after it follow on without a
/// gap (those before it are deleted by design), each decodes to a window event; and replays them as
/// the actor does, from the snapshot or else from <c>seed</c> (the history the device's state
/// journal holds from window events an older mirror wrote there). Pure: events and snapshot handed in.
/// </summary>
public sealed class WindowHistoryAudit
{
    private readonly DeviceId _device;
    private readonly StoredSnapshot? _snapshot;
    private readonly List<Finding> _findings = [];
    private readonly WindowRetention _retention;
    private WindowHistory? _history;
    private long _last;
    private long _events;

    public WindowHistoryAudit(DeviceId device, StoredSnapshot? snapshot, WindowHistory? seed, WindowRetention? retention = null)
    {
        _device = device;
        _snapshot = snapshot;
        // The replay's trimming does not change what is checked; the default keeps at least as much as a node does by default.
        _retention = retention ?? WindowRetention.Default with { KeepWindows = WindowRetention.MaxKeepWindows, KeepFor = TimeSpan.MaxValue / 2 };
        _history = seed ?? WindowHistory.Empty;
        switch (snapshot?.State)
        {
            case null:
                break;
            case WindowHistory held:
                _history = held;
                _last = snapshot.JournalSequenceNr;
                break;
            case UndecodablePayload bad:
                Fail(new Finding(device, FindingPlace.WindowHistory, snapshot.JournalSequenceNr, null, $"the snapshot does not decode: {bad.Reason}"));
                break;
            case var other:
                Fail(new Finding(device, FindingPlace.WindowHistory, snapshot.JournalSequenceNr, null, $"the snapshot holds a {Manifest(other)}, not a window history"));
                break;
        }
    }

    public IReadOnlyList<Finding> Findings => _findings;

    /// <summary>The history as the actor recovers it; null when the audit stopped at a fault.</summary>
    public WindowHistory? History => _history;

    public void Feed(StoredEvent stored)
    {
        var at = stored.JournalSequenceNr;
        // Events up to the snapshot may outlive it for a moment (they are deleted after it is saved).
        if (_snapshot is not null && at <= _snapshot.JournalSequenceNr)
            return;
        _events++;
        if (_last > 0 && at > _last + 1 || _last == 0 && _snapshot is null && at > 1)
            Fail(new Finding(_device, FindingPlace.WindowHistory, _last + 1, null,
                $"events {_last + 1}..{at - 1} are missing: only those before a snapshot are ever deleted"));
        _last = Math.Max(_last, at);
        switch (stored.Event)
        {
            case HeartbeatRecorded or SessionRecorded:
                _history = _history?.Apply(stored.Event, _retention);
                break;
            case UndecodablePayload bad:
                Fail(new Finding(_device, FindingPlace.WindowHistory, at, null, $"the '{bad.Manifest}' payload does not decode: {bad.Reason}"));
                break;
            case var other:
                Fail(new Finding(_device, FindingPlace.WindowHistory, at, null, $"a '{Manifest(other)}' event does not belong in a window history journal"));
                break;
        }
    }

    /// <summary>One line for <c>journal verify</c>.</summary>
    public string Describe() =>
        $"window history of device {_device}: " +
        (_snapshot is null ? "no snapshot" : $"snapshot at event {_snapshot.JournalSequenceNr}") +
        $", {_events} events after it" +
        (_history is { } history ? $", {history.Recent.Length} windows kept of {history.WindowCount}" : "");

    private void Fail(Finding finding)
    {
        _findings.Add(finding);
        _history = null;
    }

    private static string Manifest(object value) => value is IIoTSyncMessage ? IoTSyncCodec.ManifestOf(value) : value.GetType().Name;
}
