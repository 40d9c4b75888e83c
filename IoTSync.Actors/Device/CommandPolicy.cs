using System.Collections.Immutable;
using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Device;

/// <summary>
/// What the device lets a command do: which programs may run, for how long, and how much of
/// their output is kept. A command outside the policy is recorded as refused, never run.
/// </summary>
public sealed record CommandPolicy(ImmutableArray<string> AllowedPrograms, TimeSpan Timeout, int OutputCapBytes)
{
    /// <summary>The allow-list entry that admits every program (for development only).</summary>
    public const string AnyProgram = "*";

    public bool Allows(string program) =>
        AllowedPrograms.Contains(AnyProgram) || AllowedPrograms.Contains(program, StringComparer.Ordinal);

    /// <summary>Reads <c>iotsync.device.commands</c>.</summary>
    public static CommandPolicy FromConfig(Config root)
    {
        var allowed = root.StringList("iotsync.device.commands.allow");
        if (allowed.IsEmpty)
            throw new ConfigurationException("iotsync.device.commands.allow must name at least one program (or \"*\")");
        return new CommandPolicy(allowed,
            root.RequireDuration("iotsync.device.commands.timeout"),
            (int)root.RequireByteSize("iotsync.device.commands.output-cap", 1, int.MaxValue));
    }
}
