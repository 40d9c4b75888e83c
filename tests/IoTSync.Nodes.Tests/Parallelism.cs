using Xunit;

// Four lanes of node processes at once (NodeProcessCollection, NodeProcessLaneB, TestBedCollection,
// DeployCollection) and the uncollected specs between them, on two cores: these specs mostly wait on
// windows and processes (one lane each, the suite took over 15 minutes).
[assembly: CollectionBehavior(MaxParallelThreads = 4)]
