using System.Collections.Concurrent;
using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Logs;

namespace IoTSync.Testing.Fakes;

/// <summary>
/// Runs nothing: records every argument vector it was asked to run and answers Executed with
/// output "ran ARGV" — Failed with exit code 1 for an argv starting with "false", and never for one
/// starting with "hang". It stands for the outside world, so it survives restarts of the device side,
/// and like the spool of <c>iotsync-command-runner</c> it keeps the outcome of each command it ran by
/// its reference, for <see cref="OutcomeAfterRestart"/>.
/// </summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    private readonly ConcurrentQueue<ImmutableArray<string>> _calls = new();
    private readonly ConcurrentDictionary<CommandRef, ResultFields> _outcomes = new();

    /// <summary>Every argument vector asked for, in order.</summary>
    public IReadOnlyList<ImmutableArray<string>> Calls => [.. _calls];

    /// <summary>Every argument vector asked for, joined with spaces.</summary>
    public ConcurrentQueue<string> Ran { get; } = new();

    public int CountOf(IEnumerable<string> argv) => _calls.Count(c => c.SequenceEqual(argv));

    public static string OutputFor(IEnumerable<string> argv) => "ran " + string.Join(' ', argv);

    public async Task<ResultFields> Run(CommandRef command, ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var result = await Run(argv, cancellationToken);
        _outcomes[command] = result;
        return result;
    }

    public Task<ResultFields?> OutcomeAfterRestart(CommandRef command, CancellationToken cancellationToken) =>
        Task.FromResult(_outcomes.TryGetValue(command, out var result) ? result : null);

    public void Forget(CommandRef command) => _outcomes.TryRemove(command, out _);

    public Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        _calls.Enqueue(argv);
        Ran.Enqueue(string.Join(' ', argv));
        if (argv[0] == "hang")
            return new TaskCompletionSource<ResultFields>().Task;
        var exitCode = argv[0] == "false" ? 1 : 0;
        return Task.FromResult(new ResultFields(exitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, exitCode, OutputFor(argv), false, 1));
    }
}
