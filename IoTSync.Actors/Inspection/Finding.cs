using System.Globalization;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>
/// One thing that does not hold, named so a person can find it: the device, the place, the
/// first bad sequence number there (a log's entry number, or the journal event number for the
/// journal and the snapshot), the journal event it sits in when known, and why.
/// </summary>
public sealed record Finding(DeviceId? Device, FindingPlace Place, long Sequence, long? JournalSequenceNr, string Reason)
{
    public static FindingPlace PlaceOf(Origin log) => log == Origin.Device ? FindingPlace.DeviceLog : FindingPlace.MirrorLog;

    public static Finding InLog(DeviceId device, Origin log, long sequence, long? journalSequenceNr, string reason) =>
        new(device, PlaceOf(log), sequence, journalSequenceNr, reason);

    /// <summary>"device log", "mirror log", "journal", "snapshot", "window history", "device registry", "api tokens", "export".</summary>
    public string PlaceName => Place switch
    {
        FindingPlace.DeviceLog => "device log",
        FindingPlace.MirrorLog => "mirror log",
        FindingPlace.Journal => "journal",
        FindingPlace.Snapshot => "snapshot",
        FindingPlace.WindowHistory => "window history",
        FindingPlace.Registry => "device registry",
        FindingPlace.Tokens => "api tokens",
        _ => "export",
    };

    /// <summary>"entry 5 (journal event 9)", "event 9", "at event 1000".</summary>
    public string Position
    {
        get
        {
            var where = Place switch
            {
                FindingPlace.DeviceLog or FindingPlace.MirrorLog => $"entry {Sequence}",
                FindingPlace.Journal or FindingPlace.WindowHistory or FindingPlace.Registry or FindingPlace.Tokens => $"event {Sequence}",
                FindingPlace.Snapshot => $"at event {Sequence}",
                _ => Sequence > 0 ? $"entry {Sequence}" : "",
            };
            if (JournalSequenceNr is { } event_ && Place is FindingPlace.DeviceLog or FindingPlace.MirrorLog)
                where += $" (journal event {event_})";
            return where.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>One line: <c>device dev-1, device log, entry 5 (journal event 9): hash does not match the entry's content</c>.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Device is { } device)
            parts.Add($"device {device}");
        parts.Add(PlaceName);
        if (Position.Length > 0)
            parts.Add(Position);
        return string.Join(", ", parts) + ": " + Reason;
    }
}
