using Akka.Actor;
using Akka.Configuration;
using IoTSync.Logs;

namespace IoTSync.Testing.Persistence;

/// <summary>
/// A journal store for one test — a SQLite file (<see cref="SqliteTestDatabase"/>) or a PostgreSQL database
/// (<see cref="PostgresTestDatabase"/>) — with ActorSystems started on it, so that a spec can run over both providers.
/// </summary>
public interface IJournalTestStore : IDisposable
{
    /// <summary>Which provider: "sqlite" or "postgresql".</summary>
    string Provider { get; }

    /// <summary>The node configuration's persistence part (and log levels) for this store.</summary>
    Config NodeConfig(int snapshotEvery = 1000);

    /// <summary>Starts a new ActorSystem on this store; terminated on dispose if the test did not.</summary>
    ActorSystem Start(int snapshotEvery = 1000, string name = "test");

    LogHolderSettings LogHolder(int snapshotEvery = 1000);

    /// <summary>
    /// One number read from the store outside the actors' connections; <c>$id</c> in <paramref name="sql"/> is
    /// <paramref name="persistenceId"/>.
    /// </summary>
    long ReadNumber(string sql, string? persistenceId = null);
}
