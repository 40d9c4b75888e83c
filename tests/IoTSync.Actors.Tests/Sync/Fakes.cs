using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Journal;

namespace IoTSync.Tests.Sync;

/// <summary>A wall clock that moves only when told to.</summary>
public sealed class FakeWallClock(long startUnixMs) : IWallClock
{
    public long UtcNowMs { get; set; } = startUnixMs;

    public void Advance(long ms) => UtcNowMs += ms;
}

/// <summary>
/// Runs nothing: records every argument vector it was asked to run and answers Executed with
/// output "ran ARGV". It stands for the outside world, so it survives restarts of the device side.
/// </summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly List<ImmutableArray<string>> _calls = [];

    public IReadOnlyList<ImmutableArray<string>> Calls => _calls;

    public int CountOf(IEnumerable<string> argv) => _calls.Count(c => c.SequenceEqual(argv));

    public static string OutputFor(IEnumerable<string> argv) => "ran " + string.Join(' ', argv);

    public Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        _calls.Add(argv);
        return Task.FromResult(new ResultFields(CommandOutcome.Executed, 0, OutputFor(argv), false, 1));
    }
}

/// <summary>The process died: thrown by a side or a channel at a chosen point.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
