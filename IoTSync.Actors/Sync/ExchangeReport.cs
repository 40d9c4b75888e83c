using IoTSync.Logs;
using IoTSync.Protocol;

namespace IoTSync.Sync;

/// <summary>What one exchange did, for logs, history and tests.</summary>
public sealed record ExchangeReport(
    string SessionId,
    ExchangeOutcome Outcome,
    int EntriesPushed,
    int EntriesPulled,
    SyncView? MirrorView,
    SyncView? DeviceView,
    Refused? Refusal,
    string Detail)
{
    public bool Converged => Outcome == ExchangeOutcome.Converged;

    public override string ToString() =>
        $"session {SessionId}: {Outcome}, pushed {EntriesPushed}, pulled {EntriesPulled}" +
        (Refusal is null ? "" : $", {Refusal}") + (Detail.Length == 0 ? "" : $" ({Detail})");
}
