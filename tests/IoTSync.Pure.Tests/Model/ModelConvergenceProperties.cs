using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using IoTSync.Logs;
using IoTSync.Model;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.Model;

/// <summary>
/// The application model converges: whatever the two sides write while apart, however the logs
/// travel (random batches, replays of what is already held, any interleaving with local writes),
/// once both sides hold both logs they hold the same state, and it is the state of applying the
/// device log and then the mirror log.
/// </summary>
public sealed class ModelConvergenceProperties(ITestOutputHelper output)
{
    public const int Cases = 3_000;
    public const int EndSize = 150;

    private static readonly Gen<StepKind> KindGen = Gen.Frequency(
        (5, Gen.Constant(StepKind.DeviceSet)),
        (3, Gen.Constant(StepKind.DeviceUnset)),
        (3, Gen.Constant(StepKind.DeviceCommand)),
        (4, Gen.Constant(StepKind.DeviceRuns)),
        (4, Gen.Constant(StepKind.DevicePulls)),
        (2, Gen.Constant(StepKind.DeviceClockMoves)),
        (5, Gen.Constant(StepKind.MirrorSet)),
        (3, Gen.Constant(StepKind.MirrorUnset)),
        (3, Gen.Constant(StepKind.MirrorCommand)),
        (2, Gen.Constant(StepKind.MirrorCancel)),
        (4, Gen.Constant(StepKind.MirrorPulls)),
        (2, Gen.Constant(StepKind.MirrorClockMoves)));

    private static readonly Gen<Step> StepGen =
        from kind in KindGen
        from a in Gen.Choose(0, 5)
        from b in Gen.Choose(0, 5)
        select new Step(kind, a, b);

    internal static readonly Gen<Scenario> ScenarioGen =
        from steps in Gen.ListOf(StepGen)
        from finalDeviceReplay in Gen.Choose(0, 8)
        from finalMirrorReplay in Gen.Choose(0, 8)
        from mergeSeed in Gen.Choose(0, int.MaxValue)
        select new Scenario([.. steps], finalDeviceReplay, finalMirrorReplay, mergeSeed);

    /// <summary>Shrinks by dropping steps: the simulation gives every step list a meaning.</summary>
    private static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        var steps = scenario.Steps;
        for (var chunk = steps.Length / 2; chunk >= 1; chunk /= 2)
            for (var start = 0; start + chunk <= steps.Length; start += chunk)
                yield return scenario with { Steps = steps.RemoveRange(start, chunk) };
        if (scenario.FinalDeviceReplay > 0)
            yield return scenario with { FinalDeviceReplay = 0 };
        if (scenario.FinalMirrorReplay > 0)
            yield return scenario with { FinalMirrorReplay = 0 };
    }

    private static readonly Arbitrary<Scenario> Scenarios = Arb.From(ScenarioGen, Shrink);

    [Property(MaxTest = Cases, EndSize = EndSize)]
    public Property Should_converge_to_one_state_once_both_sides_hold_both_logs() =>
        Prop.ForAll(Scenarios, scenario =>
        {
            var sim = ConvergenceSimulation.Run(scenario);
            var device = sim.DeviceSide;
            var mirror = sim.MirrorSide;

            // Both sides hold both logs fully, and the logs are well-formed chains from their genesis.
            Assert.Equal(LogPosition.Empty(ConvergenceSimulation.Device, Origin.Mirror).After(sim.MirrorLog), device.Replica);
            Assert.Equal(LogPosition.Empty(ConvergenceSimulation.Device, Origin.Device).After(sim.DeviceLog), mirror.Replica);
            Assert.False(ChainVerifier.CheckBatch(ConvergenceSimulation.Device, Origin.Device,
                LogPosition.Empty(ConvergenceSimulation.Device, Origin.Device), sim.DeviceLog).IsRejection);
            Assert.False(ChainVerifier.CheckBatch(ConvergenceSimulation.Device, Origin.Mirror,
                LogPosition.Empty(ConvergenceSimulation.Device, Origin.Mirror), sim.MirrorLog).IsRejection);

            var reference = ApplicationState.Empty.ApplyAll(sim.DeviceLog).ApplyAll(sim.MirrorLog);
            StateAssert.SameContent(reference, device.State, "device side vs reference");
            StateAssert.SameContent(reference, mirror.State, "mirror side vs reference");
            StateAssert.SameContent(device.State, mirror.State, "device side vs mirror side");
            Assert.Equal(reference.Digest(), device.State.Digest());
            Assert.Equal(device.State.Digest(), mirror.State.Digest());

            // The model claims more: any merge that keeps each log's own order gives the same state.
            var merged = sim.RandomMerge(scenario.MergeSeed);
            StateAssert.SameContent(reference, merged, "free merge vs reference");
            Assert.Equal(reference.Digest(), merged.Digest());

            // Every result's command is in one of the logs, so nothing waits once both logs are held.
            Assert.Empty(device.State.EarlyResults);
            Assert.Empty(mirror.State.EarlyResults);
        });

    /// <summary>
    /// The property above means little if the generator never reaches the hard cases. Sample it over
    /// the sizes the property uses and show that a good share of runs (36-76 % each when written)
    /// have cross-log timestamp ties on a key, tombstones, early results in the reference order,
    /// cancels, results for both origins, and replays both trimmed and whole.
    /// </summary>
    [Fact]
    public void Should_generate_scenarios_that_reach_the_hard_cases()
    {
        // Sizes across the range the property walks through (FsCheck grows the size from 0 to EndSize).
        var samples = Enumerable.Range(0, 400)
            .SelectMany(i => Gen.Sample(ScenarioGen, size: i * EndSize / 400, numberOfSamples: 1))
            .ToList();
        Assert.Equal(400, samples.Count);
        var stats = samples.Select(s => ConvergenceSimulation.Run(s).Stats()).ToList();

        double Share(Func<SimulationStats, bool> has) => stats.Count(has) / (double)stats.Count;
        foreach (var property in typeof(SimulationStats).GetProperties())
            output.WriteLine($"{property.Name}: {Share(s => (int)property.GetValue(s)! > 0):P0} of runs");

        Assert.InRange(Share(s => s.CrossLogPropertyTies > 0), 0.25, 1.0);
        Assert.InRange(Share(s => s.SurvivingTombstones > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.EarlyResultsInReference > 0), 0.25, 1.0);
        Assert.InRange(Share(s => s.Cancels > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.ResultsForMirrorCommands > 0), 0.25, 1.0);
        Assert.InRange(Share(s => s.ResultsForDeviceCommands > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.DeviceCommandsFromMirror > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.DeviceCommandsFromDevice > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.TrimmedOverlaps > 0), 0.4, 1.0);
        Assert.InRange(Share(s => s.FullReplays > 0), 0.4, 1.0);
    }
}

/// <summary>Compares two model states field by field (the records hold immutable collections, compared by reference).</summary>
internal static class StateAssert
{
    public static void SameContent(ApplicationState expected, ApplicationState actual, string what)
    {
        Assert.True(expected.Properties.Keys.SequenceEqual(actual.Properties.Keys),
            $"{what}: property keys [{string.Join(",", expected.Properties.Keys)}] vs [{string.Join(",", actual.Properties.Keys)}]");
        foreach (var (key, value) in expected.Properties)
            Assert.True(value == actual.Properties[key], $"{what}: property {key} is {value} vs {actual.Properties[key]}");

        Assert.True(expected.OpenCommands.Keys.SequenceEqual(actual.OpenCommands.Keys),
            $"{what}: open commands [{string.Join(",", expected.OpenCommands.Keys)}] vs [{string.Join(",", actual.OpenCommands.Keys)}]");
        foreach (var (reference, open) in expected.OpenCommands)
        {
            var other = actual.OpenCommands[reference];
            Assert.True(open.Ref == other.Ref && open.Argv.SequenceEqual(other.Argv) && open.NotAfterUnixMs == other.NotAfterUnixMs
                && open.IssuedAt == other.IssuedAt && open.CancelRequested == other.CancelRequested,
                $"{what}: open command {reference} is {open} vs {other}");
        }

        Assert.True(expected.EarlyResults.SequenceEqual(actual.EarlyResults),
            $"{what}: early results [{string.Join(",", expected.EarlyResults.Keys)}] vs [{string.Join(",", actual.EarlyResults.Keys)}]");
        Assert.Equal(expected.Counters, actual.Counters);
        Assert.Equal(expected.LatestResult, actual.LatestResult);
    }
}
