using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The second lane of node pairs on loopback, beside <see cref="NodeProcessCollection"/>: the crash,
/// backup, outcome and credential specs, one at a time. Split off so that no lane holds the suite
/// past the others (each of the two is about six minutes of specs that mostly wait on windows).
/// </summary>
[CollectionDefinition(Name)]
public sealed class NodeProcessLaneB
{
    public const string Name = "node processes, second lane";
}
