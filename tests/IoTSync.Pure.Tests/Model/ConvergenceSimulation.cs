using System.Collections.Immutable;
using IoTSync.Logs;
using IoTSync.Model;

namespace IoTSync.Tests.Model;

/// <summary>One thing that happens on the timeline. <c>A</c> and <c>B</c> are small random choices whose meaning depends on the kind.</summary>
public enum StepKind
{
    DeviceSet,
    DeviceUnset,
    DeviceCommand,
    DeviceRuns,
    DevicePulls,
    DeviceClockMoves,
    MirrorSet,
    MirrorUnset,
    MirrorCommand,
    MirrorCancel,
    MirrorPulls,
    MirrorClockMoves,
}

public sealed record Step(StepKind Kind, int A, int B)
{
    public override string ToString() => $"{Kind}({A},{B})";
}

/// <summary>A whole run: the timeline, how much the final sync replays on each side, and a seed for a free interleaving.</summary>
public sealed record Scenario(ImmutableArray<Step> Steps, int FinalDeviceReplay, int FinalMirrorReplay, int MergeSeed)
{
    public override string ToString() =>
        $"Scenario(final replays d{FinalDeviceReplay}/m{FinalMirrorReplay}, merge seed {MergeSeed}, {Steps.Length} steps: {string.Join(" ", Steps)})";
}

/// <summary>What one side of the simulation holds.</summary>
internal sealed class SimSide
{
    public SimSide(DeviceId device, Origin origin, long startWallMs)
    {
        Origin = origin;
        Wall = new FakeWallClock(startWallMs);
        Clock = new HybridLogicalClock(Wall);
        OwnPosition = LogPosition.Empty(device, origin);
        Replica = LogPosition.Empty(device, origin == Origin.Device ? Origin.Mirror : Origin.Device);
    }

    public Origin Origin { get; }
    public FakeWallClock Wall { get; }
    public HybridLogicalClock Clock { get; }
    public List<LogEntry> Own { get; } = [];
    public LogPosition OwnPosition { get; private set; }

    /// <summary>The replica of the other side's log: only its length and head, as in the real node.</summary>
    public LogPosition Replica { get; set; }

    public ApplicationState State { get; set; } = ApplicationState.Empty;

    /// <summary>Writes an entry to this side's own log; the writer applies it to its own state at once.</summary>
    public LogEntry Write(Func<LogPosition, HlcTimestamp, LogEntry> make)
    {
        var entry = make(OwnPosition, Clock.Now());
        Own.Add(entry);
        OwnPosition = OwnPosition.After(entry);
        State = State.Apply(entry);
        return entry;
    }
}

/// <summary>Counts of what a run exercised, so a test can show the generator reaches the interesting cases.</summary>
internal sealed record SimulationStats(
    int TrimmedOverlaps,
    int FullReplays,
    int CrossLogPropertyTies,
    int EarlyResultsInReference,
    int Cancels,
    int ResultsForMirrorCommands,
    int ResultsForDeviceCommands,
    int SurvivingTombstones,
    int DeviceCommandsFromMirror,
    int DeviceCommandsFromDevice);

/// <summary>
/// Plays a <see cref="Scenario"/> the way the real system runs: each side is the only writer of its
/// log, applies its own entries as it writes them, and applies the other side's entries only
/// through <see cref="ChainVerifier.CheckBatch"/> against its replica position (batches may replay
/// entries already held). The device runs a command only once it holds it, and records the result
/// in its own log.
/// </summary>
internal sealed class ConvergenceSimulation
{
    public static readonly DeviceId Device = new("prop-device");
    public static readonly string[] Keys = ["k0", "k1", "k2"];
    private const long StartWallMs = 1_767_225_600_000;

    public SimSide DeviceSide { get; } = new(Device, Origin.Device, StartWallMs);
    public SimSide MirrorSide { get; } = new(Device, Origin.Mirror, StartWallMs);

    // Device: commands it holds and has not run yet (in the order it got them), cancellations it has seen.
    private readonly List<LogEntry> _runnable = [];
    private readonly HashSet<CommandRef> _cancelSeenByDevice = [];

    // Mirror: its device commands with no result known to it and no cancel written yet.
    private readonly List<CommandRef> _cancellable = [];

    private int _trimmedOverlaps;
    private int _fullReplays;

    public IReadOnlyList<LogEntry> DeviceLog => DeviceSide.Own;
    public IReadOnlyList<LogEntry> MirrorLog => MirrorSide.Own;

    public static ConvergenceSimulation Run(Scenario scenario)
    {
        var sim = new ConvergenceSimulation();
        foreach (var step in scenario.Steps)
            sim.Play(step);
        // Final sync: both directions, each with a replay of entries already held in front.
        sim.DevicePulls(scenario.FinalDeviceReplay, int.MaxValue);
        sim.MirrorPulls(scenario.FinalMirrorReplay, int.MaxValue);
        return sim;
    }

    private static string Key(int choice) => Keys[choice % Keys.Length];

    private static string[] CommandArgv(int a, int b) => (a % 5) switch
    {
        0 => ["uptime"],
        1 => ["echo", $"v{b}", "ı İ ß é"],
        2 => ["set", Key(b)],               // wrong arity: a device command, not a property operation
        3 => ["unset", Key(b), "extra"],    // likewise
        _ => ["systemctl", "restart", $"svc{b}"],
    };

    private void Play(Step step)
    {
        var (a, b) = (step.A, step.B);
        switch (step.Kind)
        {
            case StepKind.DeviceSet:
                DeviceSide.Write((at, now) => LogEntry.NewCommand(at, Origin.Device, now, "device-cli", ["set", Key(a), $"d{b}"]));
                break;
            case StepKind.DeviceUnset:
                DeviceSide.Write((at, now) => LogEntry.NewCommand(at, Origin.Device, now, "device-cli", ["unset", Key(a)]));
                break;
            case StepKind.DeviceCommand:
                _runnable.Add(DeviceSide.Write((at, now) =>
                    LogEntry.NewCommand(at, Origin.Device, now, "device-cli", CommandArgv(a, b))));
                break;
            case StepKind.DeviceRuns:
                DeviceRuns(a, b);
                break;
            case StepKind.DevicePulls:
                DevicePulls(a, b);
                break;
            case StepKind.DeviceClockMoves:
                DeviceSide.Wall.UtcNowMs += a - 2;
                break;
            case StepKind.MirrorSet:
                MirrorSide.Write((at, now) => LogEntry.NewCommand(at, Origin.Mirror, now, "api:alice", ["set", Key(a), $"m{b}"]));
                break;
            case StepKind.MirrorUnset:
                MirrorSide.Write((at, now) => LogEntry.NewCommand(at, Origin.Mirror, now, "api:alice", ["unset", Key(a)]));
                break;
            case StepKind.MirrorCommand:
                var notAfter = b % 2 == 0 ? (long?)null : MirrorSide.Wall.UtcNowMs + a;
                var command = MirrorSide.Write((at, now) =>
                    LogEntry.NewCommand(at, Origin.Mirror, now, "api:bob", CommandArgv(a, b), notAfter));
                _cancellable.Add(command.Ref);
                break;
            case StepKind.MirrorCancel:
                if (_cancellable.Count > 0)
                {
                    var target = _cancellable[a % _cancellable.Count];
                    _cancellable.Remove(target);
                    MirrorSide.Write((at, now) => LogEntry.NewCancel(at, now, "api:carol", target.Sequence));
                }
                break;
            case StepKind.MirrorPulls:
                MirrorPulls(a, b);
                break;
            case StepKind.MirrorClockMoves:
                MirrorSide.Wall.UtcNowMs += a - 2;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step.Kind, null);
        }
    }

    private void DeviceRuns(int a, int b)
    {
        if (_runnable.Count == 0)
            return;
        var command = _runnable[a % _runnable.Count];
        _runnable.Remove(command);
        var outcome =
            _cancelSeenByDevice.Contains(command.Ref) ? CommandOutcome.Cancelled
            : command.NotAfterUnixMs is { } notAfter && DeviceSide.Wall.UtcNowMs > notAfter ? CommandOutcome.Expired
            : (b % 3) switch { 0 => CommandOutcome.Executed, 1 => CommandOutcome.Failed, _ => CommandOutcome.Refused };
        var fields = new ResultFields(outcome, outcome == CommandOutcome.Executed ? 0 : b + 1, $"out{b}", b == 5, b * 7L);
        DeviceSide.Write((at, now) => LogEntry.NewResult(at, now, "device-runner", command.Ref, fields));
    }

    public void DevicePulls(int replay, int size) =>
        Receive(DeviceSide, MirrorLog, replay, size, entry =>
        {
            if (entry.Kind == EntryKind.Command && PropertyCommand.IsDeviceCommand(entry.Argv))
                _runnable.Add(entry);
            if (entry.Kind == EntryKind.Cancel)
                _cancelSeenByDevice.Add(entry.Target!.Value);
        });

    public void MirrorPulls(int replay, int size) =>
        Receive(MirrorSide, DeviceLog, replay, size, entry =>
        {
            if (entry.Kind == EntryKind.Result)
                _cancellable.Remove(entry.Target!.Value);
        });

    /// <summary>
    /// Offers <paramref name="receiver"/> the entries of <paramref name="source"/> from <paramref name="replay"/>
    /// before its replica's end up to <paramref name="size"/> past it, checks the batch, and applies only what
    /// the verifier says is new.
    /// </summary>
    private void Receive(SimSide receiver, IReadOnlyList<LogEntry> source, int replay, int size, Action<LogEntry> onNew)
    {
        var held = receiver.Replica.Length;
        var start = Math.Max(1, held + 1 - replay);
        var end = Math.Min(source.Count, held + (long)size);
        var batch = start <= end ? source.Skip((int)start - 1).Take((int)(end - start + 1)).ToArray() : [];
        var otherOrigin = receiver.Origin == Origin.Device ? Origin.Mirror : Origin.Device;

        var check = ChainVerifier.CheckBatch(Device, otherOrigin, receiver.Replica, batch);

        if (check.IsRejection)
            throw new InvalidOperationException($"{receiver.Origin} side rejected a good batch {start}..{end} at {receiver.Replica}: {check}");
        var expectedNew = end > held ? source.Skip((int)held).Take((int)(end - held)).ToArray() : [];
        if (expectedNew.Length == 0)
        {
            if (check.Verdict != Verdict.AlreadyHeld)
                throw new InvalidOperationException($"a batch {start}..{end} of entries held to {held} was {check}, not AlreadyHeld");
            if (batch.Length > 0)
                _fullReplays++;
            return;
        }
        if (check.Verdict != Verdict.Appendable || !check.NewEntries.SequenceEqual(expectedNew))
            throw new InvalidOperationException(
                $"batch {start}..{end} over {held} held gave {check} with [{string.Join(",", check.NewEntries.Select(e => e.Sequence))}]," +
                $" expected {expectedNew[0].Sequence}..{expectedNew[^1].Sequence}");
        if (start <= held)
            _trimmedOverlaps++;

        foreach (var entry in check.NewEntries)
        {
            receiver.State = receiver.State.Apply(entry);
            receiver.Clock.Observe(entry.Timestamp);
            onNew(entry);
        }
        receiver.Replica = receiver.Replica.After(check.NewEntries);
    }

    /// <summary>Applies both logs in one random merge that keeps each log's own order.</summary>
    public ApplicationState RandomMerge(int seed)
    {
        var random = new Random(seed);
        var state = ApplicationState.Empty;
        int d = 0, m = 0;
        while (d < DeviceLog.Count || m < MirrorLog.Count)
        {
            var takeDevice = m == MirrorLog.Count || (d < DeviceLog.Count && random.Next(2) == 0);
            state = state.Apply(takeDevice ? DeviceLog[d++] : MirrorLog[m++]);
        }
        return state;
    }

    public SimulationStats Stats()
    {
        var reference = ApplicationState.Empty.ApplyAll(DeviceLog);
        var deviceProps = DeviceLog.Where(e => e.Kind == EntryKind.Command && PropertyCommand.IsPropertyOperation(e.Argv));
        var mirrorProps = MirrorLog.Where(e => e.Kind == EntryKind.Command && PropertyCommand.IsPropertyOperation(e.Argv))
            .Select(e => (e.Argv[1], e.Timestamp)).ToHashSet();
        var results = DeviceLog.Where(e => e.Kind == EntryKind.Result).ToList();
        return new SimulationStats(
            TrimmedOverlaps: _trimmedOverlaps,
            FullReplays: _fullReplays,
            CrossLogPropertyTies: deviceProps.Count(e => mirrorProps.Contains((e.Argv[1], e.Timestamp))),
            EarlyResultsInReference: reference.EarlyResults.Count,
            Cancels: MirrorLog.Count(e => e.Kind == EntryKind.Cancel),
            ResultsForMirrorCommands: results.Count(e => e.Target!.Value.Origin == Origin.Mirror),
            ResultsForDeviceCommands: results.Count(e => e.Target!.Value.Origin == Origin.Device),
            SurvivingTombstones: DeviceSide.State.Properties.Count(p => p.Value.Value is null),
            DeviceCommandsFromMirror: MirrorLog.Count(e => e.Kind == EntryKind.Command && PropertyCommand.IsDeviceCommand(e.Argv)),
            DeviceCommandsFromDevice: DeviceLog.Count(e => e.Kind == EntryKind.Command && PropertyCommand.IsDeviceCommand(e.Argv)));
    }
}
