using System.Collections.Concurrent;
using System.Collections.Immutable;
using IoTSync.Device;
using IoTSync.Journal;

namespace IoTSync.Tests.Actors;

/// <summary>Records what it ran; answers "ran ARGV", or never answers for an argv starting with "hang".</summary>
public sealed class FakeCommandRunner : ICommandRunner
{
    public ConcurrentQueue<string> Ran { get; } = new();

    public Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken)
    {
        var line = string.Join(' ', argv);
        Ran.Enqueue(line);
        if (argv[0] == "hang")
            return new TaskCompletionSource<ResultFields>().Task;
        var exitCode = argv[0] == "false" ? 1 : 0;
        return Task.FromResult(new ResultFields(exitCode == 0 ? CommandOutcome.Executed : CommandOutcome.Failed, exitCode, "ran " + line, false, 1));
    }
}

/// <summary>A wall clock the test sets.</summary>
public sealed class ManualWallClock(long startMs = 1_700_000_000_000) : IWallClock
{
    public long UtcNowMs { get; set; } = startMs;
}

/// <summary>Waits for a condition with a deadline, polling; never a bare sleep.</summary>
public static class Poll
{
    public static async Task Until(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("condition not met before the deadline");
            await Task.Delay(20);
        }
    }
}
