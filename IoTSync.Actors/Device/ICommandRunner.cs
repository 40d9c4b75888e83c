using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>
/// Runs one device command as an argument vector (never through a shell) and reports its
/// outcome. The device's policy (allow-list, timeout, output cap) lives behind it: a refusal is
/// an outcome, not an exception. A runner may keep outcomes beyond the node's life (a spool): then
/// <see cref="OutcomeAfterRestart"/> gives the real result of a command the node started before it restarted.
/// </summary>
public interface ICommandRunner
{
    Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken);

    /// <summary>Runs <paramref name="command"/>; a runner that keeps outcomes keys them by it.</summary>
    Task<ResultFields> Run(CommandRef command, ImmutableArray<string> argv, CancellationToken cancellationToken) => Run(argv, cancellationToken);

    /// <summary>
    /// What became of <paramref name="command"/>, started before the node restarted: its result as
    /// recorded outside the node (waiting, up to its limit, while it still runs), or null when
    /// nothing shows that it ran to an end.
    /// </summary>
    Task<ResultFields?> OutcomeAfterRestart(CommandRef command, CancellationToken cancellationToken) => Task.FromResult<ResultFields?>(null);

    /// <summary>The result of <paramref name="command"/> is in the journal: what was kept of it outside may go.</summary>
    void Forget(CommandRef command)
    {
    }
}
