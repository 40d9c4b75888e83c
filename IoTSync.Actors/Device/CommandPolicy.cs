using System.Collections.Immutable;
using Akka.Configuration;

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
        var section = root.GetConfig("iotsync.device.commands") ?? throw new ConfigurationException("missing section iotsync.device.commands");
        var allowed = section.GetStringList("allow") ?? [];
        var timeout = section.GetTimeSpan("timeout", TimeSpan.Zero, allowInfinite: false);
        var cap = section.GetByteSize("output-cap") ?? 0;
        if (allowed.Count == 0)
            throw new ConfigurationException("iotsync.device.commands.allow must name at least one program (or \"*\")");
        if (timeout <= TimeSpan.Zero)
            throw new ConfigurationException("iotsync.device.commands.timeout must be a positive duration");
        if (cap is < 1 or > int.MaxValue)
            throw new ConfigurationException("iotsync.device.commands.output-cap must be between 1 byte and 2 GiB");
        return new CommandPolicy([.. allowed], timeout, (int)cap);
    }
}
