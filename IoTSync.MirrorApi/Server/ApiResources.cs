using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Resources;
using IoTSync.Protocol;
using static IoTSync.Mirror.StateJournalEvents;

namespace IoTSync.MirrorApi.Server;

/// <summary>The node's own types as the API's resources: words for enumerations, full hashes, milliseconds.</summary>
public static class ApiResources
{
    public static string Word(Origin origin) => origin == Origin.Device ? "device" : "mirror";

    public static string Word(EntryKind kind) => kind switch
    {
        EntryKind.Command => "command",
        EntryKind.Result => "result",
        _ => "cancel",
    };

    public static string Word(CommandOutcome outcome) => outcome.ToString().ToLowerInvariant();

    public static string Word(CommandStatus status) => status.ToString().ToLowerInvariant();

    public static EntryResource Of(LogEntry entry) => new(
        Word(entry.Origin), entry.Sequence, Word(entry.Kind), entry.Timestamp.WallMs, entry.Timestamp.Counter, entry.Issuer,
        [.. entry.Argv], entry.NotAfterUnixMs,
        entry.Target is { } target ? new CommandRefResource(Word(target.Origin), target.Sequence) : null,
        entry.Result is { } result ? new ResultResource(Word(result.Outcome), result.ExitCode, result.Output, result.Truncated, result.DurationMs) : null,
        entry.PreviousHash.ToString(), entry.Hash.ToString());

    public static LogHeadResource Of(LogPosition position) => new(position.Length, position.Head.ToString());

    public static SyncViewResource Of(SyncView view) => new(Of(view.DeviceLog), Of(view.MirrorLog), view.StateDigest.ToString());

    public static WindowSummary Of(WindowReport report) => new(report.Number, report.DurationMs, report.UsableAfterMs, report.Outcome);

    public static WindowResource Of(WindowRecord window) => new(window.Number, window.HeartbeatAtUnixMs,
        window.Device is { } device ? Of(device) : null,
        window.Session is { } session ? Of(session) : null);

    public static SessionResource Of(SessionRecorded session) =>
        new(session.SessionId, session.StartedAtUnixMs, session.DurationMs, session.EntriesPushed, session.EntriesPulled, Words(session.Outcome), session.Error);

    /// <summary>A session outcome's name ("NothingToDo") as the API's word ("nothing-to-do").</summary>
    public static string Words(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
