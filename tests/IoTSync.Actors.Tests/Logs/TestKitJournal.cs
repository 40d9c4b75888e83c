using Akka.Configuration;

namespace IoTSync.Tests.Logs;

/// <summary>Akka.Persistence.TestKit's journal and snapshot store in place of SQLite, for specs that make writes fail.</summary>
internal static class TestKitJournal
{
    public static Config Config { get; } = ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.persistence.journal.plugin = "akka.persistence.journal.test"
        akka.persistence.journal.test.class = "Akka.Persistence.TestKit.TestJournal, Akka.Persistence.TestKit"
        akka.persistence.journal.test.plugin-dispatcher = "akka.actor.default-dispatcher"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.test"
        akka.persistence.snapshot-store.test.class = "Akka.Persistence.TestKit.TestSnapshotStore, Akka.Persistence.TestKit"
        akka.persistence.snapshot-store.test.plugin-dispatcher = "akka.actor.default-dispatcher"
        """).WithFallback(IoTSyncSystem.Essentials);
}
