using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTSync.Fleet;

/// <summary>A process over the measured run (the mirror's, or the simulator's own): CPU-seconds spent and memory held, in all and per 1,000 devices.</summary>
public sealed record ProcessCost(int Pid, double CpuSeconds, double CpuSecondsPerSecond, double CpuSecondsPer1000Devices, long RssBytes, double RssMiBPer1000Devices)
{
    /// <summary>Several processes as one (every node of a cluster, every node host's sshd), named by the first; null when none was measured.</summary>
    public static ProcessCost? Sum(IEnumerable<ProcessCost> costs) =>
        costs.ToList() is { Count: > 0 } all
            ? new ProcessCost(all[0].Pid, all.Sum(c => c.CpuSeconds), all.Sum(c => c.CpuSecondsPerSecond), all.Sum(c => c.CpuSecondsPer1000Devices),
                all.Sum(c => c.RssBytes), all.Sum(c => c.RssMiBPer1000Devices))
            : null;
}

/// <summary>
/// Windows the devices missed (no heartbeat answered within the window), over the whole run: how many devices
/// missed any, how many windows in all, the most one device missed one after the other, and per device
/// (devices that missed none are not listed).
/// </summary>
public sealed record MissedWindows(int Devices, long Windows, int MostInARow, IReadOnlyDictionary<string, int> PerDevice)
{
    public static MissedWindows Of(IEnumerable<SimulatedDevice> devices)
    {
        var missing = devices.Where(d => d.MissedWindows > 0).ToList();
        return new MissedWindows(missing.Count, missing.Sum(d => (long)d.MissedWindows), missing.Count == 0 ? 0 : missing.Max(d => d.MostMissedInARow),
            new SortedDictionary<string, int>(missing.ToDictionary(d => d.Id.Value, d => d.MissedWindows), StringComparer.Ordinal));
    }
}

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
    int MirrorNodeCount,
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
    IReadOnlyList<ProcessCost?> MirrorNodes,
    MissedWindows Missed,
    ProcessCost? SimulatorProcess,
    ProcessCost? DatabaseProcess,
    ProcessCost? SshdProcesses,
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
            var all = MirrorNodeCount > 1 ? " (all nodes)" : "";
            Row($"mirror CPU{all}", $"{F(mirror.CpuSeconds, "0.00")} s ({F(mirror.CpuSecondsPerSecond, "0.000")} s/s; {F(mirror.CpuSecondsPer1000Devices, "0.00")} s per 1,000 devices over the run)");
            Row($"mirror RSS{all}", $"{F(mirror.RssBytes / 1048576.0)} MiB ({F(mirror.RssMiBPer1000Devices)} MiB per 1,000 devices)");
            for (var k = 0; MirrorNodeCount > 1 && k < MirrorNodes.Count; k++)
                Row($"  node {k + 1}", MirrorNodes[k] is { } node
                    ? $"CPU {F(node.CpuSeconds, "0.00")} s ({F(node.CpuSecondsPerSecond, "0.000")} s/s), RSS {F(node.RssBytes / 1048576.0)} MiB"
                    : "not measured (not running at the start or the end of the run)");
        }
        else
        {
            Row("mirror CPU and RSS", "not measured (no --mirror-pid)");
        }
        if (SimulatorProcess is { } simulator)
            Row("simulator CPU (same machine)", $"{F(simulator.CpuSeconds, "0.00")} s ({F(simulator.CpuSecondsPerSecond, "0.000")} s/s), RSS {F(simulator.RssBytes / 1048576.0)} MiB");
        if (SshdProcesses is { } sshd)
            Row("mirror host sshd CPU (sessions, relays)", $"{F(sshd.CpuSeconds, "0.00")} s ({F(sshd.CpuSecondsPerSecond, "0.000")} s/s)");
        if (DatabaseProcess is { } database)
            Row("PostgreSQL CPU (server and backends)", $"{F(database.CpuSeconds, "0.00")} s ({F(database.CpuSecondsPerSecond, "0.000")} s/s)");
        Row("windows missed (no heartbeat answered)", Missed.Devices == 0
            ? "none"
            : $"{Missed.Windows} by {Missed.Devices} device(s), at most {Missed.MostInARow} in a row: " +
              string.Join(", ", Missed.PerDevice.Take(20).Select(m => $"{m.Key} {m.Value}")) + (Missed.PerDevice.Count > 20 ? ", ..." : ""));
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
            Row("  both logs equal entry by entry", $"{check.LogsEqual} of {check.Devices}");
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
