using System.Collections.Concurrent;
using System.Data.Common;
using LinqToDB.Data;
using LinqToDB.Metrics;
using Microsoft.Data.Sqlite;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// Sees, through linq2db's own instrumentation and independently of any interceptor, every
/// connection linq2db opens or runs a command on for one database file. A test compares it with
/// what the interceptor observed: a connection here that the interceptor never saw would be a
/// plugin connection running without the pragmas.
/// </summary>
public sealed class Linq2DbConnectionWitness : IDisposable
{
    private static readonly ConcurrentDictionary<Linq2DbConnectionWitness, byte> Active = new();
    private static readonly Lazy<bool> Installed = new(() =>
    {
        // linq2db offers no way to remove a factory, so one is installed for the process and
        // returns nothing while no witness is active.
        ActivityService.AddFactory(Start);
        return true;
    });

    private readonly string _dataSource;
    private readonly ConcurrentDictionary<DbConnection, byte> _connections = new(ReferenceEqualityComparer.Instance);

    public Linq2DbConnectionWitness(string databasePath)
    {
        _ = Installed.Value;
        _dataSource = databasePath;
        Active.TryAdd(this, 0);
    }

    /// <summary>Distinct connection objects linq2db opened or used on the watched file so far.</summary>
    public IReadOnlyCollection<DbConnection> Connections => _connections.Keys.ToList();

    public void Dispose() => Active.TryRemove(this, out _);

    private static IActivity? Start(ActivityID id) =>
        !Active.IsEmpty && id is ActivityID.ConnectionOpen or ActivityID.ConnectionOpenAsync
            or ActivityID.ConnectionBeginTransaction or ActivityID.ConnectionBeginTransactionAsync
            or ActivityID.CommandExecuteScalar or ActivityID.CommandExecuteScalarAsync
            or ActivityID.CommandExecuteReader or ActivityID.CommandExecuteReaderAsync
            or ActivityID.CommandExecuteNonQuery or ActivityID.CommandExecuteNonQueryAsync
            ? new Activity(id)
            : null;

    private void Witness(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite
            && new SqliteConnectionStringBuilder(sqlite.ConnectionString).DataSource == _dataSource)
            _connections.TryAdd(connection, 0);
    }

    private sealed class Activity(ActivityID id) : ActivityBase(id)
    {
        public override IActivity AddQueryInfo(DataConnection? context, DbConnection? connection, DbCommand? command)
        {
            if (connection is not null)
                foreach (var witness in Active.Keys)
                    witness.Witness(connection);
            return this;
        }

        public override void Dispose()
        {
        }
    }
}
