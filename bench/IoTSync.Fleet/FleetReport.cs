using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTSync.Fleet;

/// <summary>A process over the measured run (the mirror's, or the simulator's own): CPU-seconds spent and memory held, in all and per 1,000 devices.</summary>
public sealed record ProcessCost(int Pid, double CpuSeconds, double CpuSecondsPerSecond, double CpuSecondsPer1000Devices, long RssBytes, double RssMiBPer1000Devices);

/// <summary>What <c>iotsync-fleet</c> prints and writes: the figures a fleet operator needs, and how they were made.</summary>
public sealed record FleetReport(
    string Bench,
    DateTimeOffset At,
    int Devices,
    double CycleSeconds,
    double WindowLimitSeconds,
    double WorkFraction,
    int CommandsPerWindow,
    double DurationSeconds,
    string Associations,
    string AssociationsMeaning,
    int EdgeSystems,
    double AssociateSeconds,
    int AssociationRetries,
    string Mirror,
    double EnrolSeconds,
    long Windows,
    long HeartbeatsAnswered,
    double HeartbeatsAnsweredPerSecond,
    long Syncs,
    double SyncsPerSecond,
    long CommandsLeft,
    Percentiles HeartbeatAnswerLatency,
    Percentiles Window,
    Percentiles SyncWindow,
    IReadOnlyDictionary<string, long> Errors,
    IReadOnlyDictionary<string, long> MirrorRefusals,
    IReadOnlyDictionary<string, long> SenderRefusals,
    ProcessCost? MirrorProcess,
    ProcessCost? SimulatorProcess,
    FleetCheck? Check,
    object Machine)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The table printed on stdout.</summary>
    public string Table()
    {
        var text = new StringBuilder();
        void Row(string what, string value) => text.Append(CultureInfo.InvariantCulture, $"  {what,-38} {value}\n");
        static string F(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);
        text.Append(CultureInfo.InvariantCulture, $"fleet: {Devices} devices against {Mirror}, cycle {F(CycleSeconds)} s, window limit {F(WindowLimitSeconds)} s, " +
                                                  $"{F(WorkFraction * 100)} % with {CommandsPerWindow} command(s) per window, {F(DurationSeconds)} s measured\n");
        text.Append(CultureInfo.InvariantCulture, $"  associations: {AssociationsMeaning}\n");
        Row("enrolment (API, reverse mode, CA-signed)", $"{F(EnrolSeconds)} s");
        Row("associations formed (a first heartbeat)", $"{EdgeSystems} in {F(AssociateSeconds)} s, before the measured run ({AssociationRetries} first heartbeat(s) sent again)");
        Row("windows", $"{Windows}");
        Row("heartbeats answered", $"{HeartbeatsAnswered} ({F(HeartbeatsAnsweredPerSecond, "0.00")} per second)");
        Row("syncs (finished exchanges)", $"{Syncs} ({F(SyncsPerSecond, "0.00")} per second)");
        Row("commands left at the mirror", $"{CommandsLeft}");
        Row("heartbeat answer latency p50/p95/p99", $"{F(HeartbeatAnswerLatency.P50Ms)} / {F(HeartbeatAnswerLatency.P95Ms)} / {F(HeartbeatAnswerLatency.P99Ms)} ms (worst {F(HeartbeatAnswerLatency.MaxMs)})");
        Row("window p50/p95 (all)", $"{F(Window.P50Ms)} / {F(Window.P95Ms)} ms");
        Row("window p50/p95 (with a sync)", $"{F(SyncWindow.P50Ms)} / {F(SyncWindow.P95Ms)} ms");
        if (MirrorProcess is { } mirror)
        {
            Row("mirror CPU", $"{F(mirror.CpuSeconds, "0.00")} s ({F(mirror.CpuSecondsPerSecond, "0.000")} s/s; {F(mirror.CpuSecondsPer1000Devices, "0.00")} s per 1,000 devices over the run)");
            Row("mirror RSS", $"{F(mirror.RssBytes / 1048576.0)} MiB ({F(mirror.RssMiBPer1000Devices)} MiB per 1,000 devices)");
        }
        else
        {
            Row("mirror CPU and RSS", "not measured (no --mirror-pid)");
        }
        if (SimulatorProcess is { } simulator)
            Row("simulator CPU (same machine)", $"{F(simulator.CpuSeconds, "0.00")} s ({F(simulator.CpuSecondsPerSecond, "0.000")} s/s), RSS {F(simulator.RssBytes / 1048576.0)} MiB");
        if (Errors.Count == 0)
            Row("errors", "none");
        foreach (var (reason, count) in Errors.OrderByDescending(e => e.Value))
            Row("error", $"{count} x {reason}");
        // mirror-answer-refused also counts an answer to a heartbeat sent again that arrives in the sender's next window.
        Row("refused by the devices' senders", SenderRefusals.Count == 0 ? "nothing" : string.Join(", ", SenderRefusals.Select(r => $"{r.Key} {r.Value}")));
        Row("refused by the mirror (its counters)", MirrorRefusals.Count == 0 ? "nothing" : string.Join(", ", MirrorRefusals.Select(r => $"{r.Key} {r.Value}")));
        if (Check is { } check)
        {
            Row("check", check.Passed ? "passed" : "FAILED");
            Row("  converged (views equal via the API)", $"{check.Converged} of {check.Devices}");
            Row("  mirror commands with one result", $"{check.ResultedOnce} of {check.CommandsLeft}");
            Row("  mirror commands run once", $"{check.RanOnce} of {check.CommandsLeft}");
            Row("  device commands once", $"{check.LocalCommandsOnce} of {check.LocalCommands}");
            Row("  commands open at the mirror", $"{check.OpenAtMirror}");
            foreach (var mismatch in check.Mismatches)
                Row("  differs", mismatch);
        }
        return text.ToString();
    }
}
