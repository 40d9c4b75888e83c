using System.Collections.Immutable;

namespace IoTSync.Testing.Rig;

/// <summary>
/// How the rig starts a node or sshd: directly, or behind a prefix that execs it somewhere else —
/// <c>setsid ip netns exec NS</c> runs it inside a network namespace of the test bed, as the leader
/// of its own process group. The prefix must exec in turn (no fork), so the started process's id is
/// the program's own and a signal reaches it.
/// </summary>
/// <param name="Prefix">The argument vector put before the program's; empty to start it directly.</param>
/// <param name="OwnProcessGroup">True when the prefix makes the program lead its own process group: a kill then reaches the group, reparented grandchildren included.</param>
public sealed record Launcher(ImmutableArray<string> Prefix, bool OwnProcessGroup)
{
    /// <summary>Starts programs as they are, in this process's namespaces.</summary>
    public static Launcher Direct { get; } = new([], false);

    /// <summary>The file to start and its arguments, the prefix included.</summary>
    public (string FileName, IReadOnlyList<string> Arguments) Wrap(string fileName, IEnumerable<string> arguments) =>
        Prefix.IsDefaultOrEmpty ? (fileName, [.. arguments]) : (Prefix[0], [.. Prefix.Skip(1), fileName, .. arguments]);

    public override string ToString() => Prefix.IsDefaultOrEmpty ? "direct" : string.Join(' ', Prefix);
}
