using Xunit;

// Three lanes of node processes at once over the collections (NodeProcessCollection, NodeProcessLaneB,
// TestBedCollection, DeployCollection) and the uncollected specs, on two cores: these specs mostly wait on
// windows and processes. Four at once overloaded the machine (timing specs failed).
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
