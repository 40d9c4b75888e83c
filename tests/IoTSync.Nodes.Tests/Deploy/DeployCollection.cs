using Xunit;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// The installed bundles and reverse mode, one spec at a time: installers, emulated machines and nodes
/// behind the bed's NAT router. The third lane beside <see cref="Nodes.NodeProcessCollection"/> and
/// <see cref="Nodes.TestBedCollection"/>: its specs wait on processes and windows far more than they
/// compute, so the suite's wall time is the longest lane, not the sum.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DeployCollection
{
    public const string Name = "installed bundles and reverse mode";
}
