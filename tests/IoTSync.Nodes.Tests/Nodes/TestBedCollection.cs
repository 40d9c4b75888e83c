using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// Node pairs on the network-namespace test bed or as their own accounts, one spec at a time: the
/// specs whose windows are timed by a real interface going up and down. The second lane beside
/// <see cref="NodeProcessCollection"/>.
/// </summary>
[CollectionDefinition(Name)]
public sealed class TestBedCollection
{
    public const string Name = "node processes on the test bed";
}
