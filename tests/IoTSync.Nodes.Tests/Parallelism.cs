using Xunit;

// Three lanes of node processes at once (NodeProcessCollection, TestBedCollection, DeployCollection) and
// the uncollected specs between them: on two cores, since these specs mostly wait on windows and processes.
[assembly: CollectionBehavior(MaxParallelThreads = 3)]
