using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// Node pairs on loopback, one spec at a time: each runs three processes and their windows. It runs
/// beside <see cref="TestBedCollection"/>, the other lane, and the other specs (xunit starts no more
/// specs at once than there are cores).
/// </summary>
[CollectionDefinition(Name)]
public sealed class NodeProcessCollection
{
    public const string Name = "node processes";
}
