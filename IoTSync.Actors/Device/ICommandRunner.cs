using System.Collections.Immutable;
using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>
/// Runs one device command as an argument vector (never through a shell) and reports its
/// outcome. The device's policy (allow-list, timeout, output cap) lives behind it: a refusal is
/// an outcome, not an exception.
/// </summary>
public interface ICommandRunner
{
    Task<ResultFields> Run(ImmutableArray<string> argv, CancellationToken cancellationToken);
}
