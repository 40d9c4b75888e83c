using Akka.Actor;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
using IoTSync.Model;
using IoTSync.Persistence;
using Xunit;
using static IoTSync.Logs.LogHolderMessages;
using static IoTSync.Mirror.DeviceRegistryMessages;
using static IoTSync.Mirror.StateJournalMessages;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Tests.Persistence;

/// <summary>
/// The mirror's persistent actors — a device's StateJournal, the DeviceRegistry, the ApiTokenStore — persist
/// and recover the same on both providers: SQLite and a private PostgreSQL server. Each spec writes, stops the
/// system, starts a new one on the same store and finds the state back.
/// </summary>
public sealed class ProviderRecoverySpecs(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DeviceId Device = new("dev-pg");
    private readonly FakeWallClock _clock = new(1_700_000_000_000);
    private readonly List<IJournalTestStore> _stores = [];

    private async Task<IJournalTestStore> Store(string provider)
    {
        IJournalTestStore store = provider == "postgresql" ? await postgres.CreateDatabase() : new SqliteTestDatabase();
        _stores.Add(store);
        return store;
    }

    private static Task Stop(ActorSystem system) => system.Terminate().WaitAsync(Timeout);

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Should_bring_a_state_journal_back_with_logs_snapshot_and_statuses(string provider)
    {
        var store = await Store(provider);
        IActorRef Journal(ActorSystem system) => system.ActorOf(StateJournal.Props(Device,
            new StateJournalSettings(100, 1024, store.LogHolder(3), WindowRetention.Default with { SnapshotEvery = 3 }), _clock), "journal");
        var first = store.Start(snapshotEvery: 3);
        var journal = Journal(first);
        for (var i = 0; i < 4; i++)
            await journal.Ask<Submitted>(new SubmitCommand(Device, ["cmd", $"{i}"], "operator", null), Timeout);
        await journal.Ask<Submitted>(new SubmitCommand(Device, ["set", "colour", "blue"], "operator", null), Timeout);
        var mirrorLog = (await journal.Ask<SyncView>(GetView.Instance, Timeout)).MirrorLog;
        await journal.Ask<Acknowledged>(new ConfirmDelivery(Device, mirrorLog with { Length = 3 }), Timeout);
        var before = await journal.Ask<StateJournalState>(LogHolderMessages.GetState.Instance, Timeout);
        // The snapshot is saved beside the writes, not before the reply: recovery is to start from it.
        await Polling.Until(() => Task.FromResult(store.ReadNumber("SELECT COUNT(*) FROM snapshot WHERE persistence_id = $id",
            StateJournal.PersistenceIdPrefix + Device.Value) >= 1), Timeout, "a snapshot saved (snapshot-every = 3)");
        await Stop(first);

        var again = Journal(store.Start(snapshotEvery: 3));
        var after = await again.Ask<StateJournalState>(LogHolderMessages.GetState.Instance, Timeout);

        Assert.Equal(before.Logs.View, after.Logs.View);
        Assert.Equal(5, after.Logs.MirrorLog.Length);
        Assert.Equal("blue", after.Logs.Model.Get("colour"));
        var statuses = new List<CommandStatus>();
        for (var sequence = 1; sequence <= 5; sequence++)
            statuses.Add((await again.Ask<CommandStatusReply>(new GetCommandStatus(Device, sequence), Timeout)).Status);
        Assert.Equal([CommandStatus.Delivered, CommandStatus.Delivered, CommandStatus.Delivered, CommandStatus.Pending, CommandStatus.Applied], statuses);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Should_bring_the_registry_back_with_its_devices_and_keys(string provider)
    {
        var store = await Store(provider);
        var details = new EnrolledDevice(Device, "127.0.0.1", 2222, "iotsync", "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", new string('7', 64), 1_700_000_000_000);
        var first = store.Start();
        var registry = first.ActorOf(DeviceRegistry.Props(new DeviceKeyCache()), "registry");
        await registry.Ask<Enrolled>(new Enrol(details), Timeout);
        await registry.Ask<Enrolled>(new Enrol(details with { Device = new DeviceId("dev-pg-2") }), Timeout);
        await Stop(first);

        var recovered = new DeviceKeyCache();
        var again = store.Start().ActorOf(DeviceRegistry.Props(recovered), "registry");
        var devices = await again.Ask<Devices>(ListDevices.Instance, Timeout);

        Assert.Equal([Device, new DeviceId("dev-pg-2")], devices.All.Select(d => d.Device).OrderBy(d => d.Value, StringComparer.Ordinal).ToArray());
        Assert.Equal(32, recovered.KeyOf(Device)!.Length);
    }

    [SkippableTheory]
    [InlineData("sqlite")]
    [InlineData("postgresql")]
    public async Task Should_bring_api_tokens_back_with_a_revocation(string provider)
    {
        var store = await Store(provider);
        var first = store.Start();
        var tokens = first.ActorOf(ApiTokenStore.Props(new ApiTokenCache(_clock), _clock), "tokens");
        var kept = await tokens.Ask<Issued>(new CreateToken(new ApiTokenName("ci-deploy"), ApiRole.Operate, TimeSpan.FromDays(30)), Timeout);
        var gone = await tokens.Ask<Issued>(new CreateToken(new ApiTokenName("old"), ApiRole.Admin), Timeout);
        await tokens.Ask<Revoked>(new RevokeToken(new ApiTokenName("old")), Timeout);
        await Stop(first);

        var cache = new ApiTokenCache(_clock);
        var again = store.Start().ActorOf(ApiTokenStore.Props(cache, _clock), "tokens");
        var listed = await again.Ask<TokenList>(ListTokens.Instance, Timeout);

        Assert.Equal(2, listed.All.Length);
        Assert.Equal(ApiRole.Operate, cache.Authenticate(kept.Bearer)!.Role);
        Assert.Equal(BearerRefusal.Revoked, cache.Check(gone.Bearer).Refusal);
        Assert.Equal(3, store.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id", ApiTokenStore.Id));
    }

    [SkippableFact]
    public async Task Should_name_an_unreachable_server_in_one_line_without_the_password()
    {
        // A port nothing listens on: taken and released at once.
        var port = PrivateSshd.FreePort();
        var settings = new PostgresSettings($"Host=127.0.0.1;Port={port};Database=iotsync;Username=mirror;Password=s3cret-word");

        var refusal = Assert.Throws<UnusableJournalException>(() => PostgresDatabase.EnsureReachable(settings));

        Assert.Contains($"postgresql://mirror@127.0.0.1:{port}/iotsync", refusal.Message);
        Assert.Contains("cannot reach the server", refusal.Message);
        Assert.DoesNotContain("s3cret-word", refusal.Message);
        Assert.DoesNotContain('\n', refusal.Message);
        await Task.CompletedTask;
    }

    [SkippableFact]
    public async Task Should_name_refused_credentials_and_a_missing_database()
    {
        var store = (PostgresTestDatabase)await Store("postgresql");
        var missing = new PostgresSettings(store.ConnectionString.Replace(store.Name, "t_nothing_here", StringComparison.Ordinal));
        var stranger = new PostgresSettings(store.ConnectionString.Replace("Username=postgres", "Username=nobody_here", StringComparison.Ordinal));

        Assert.Null(PostgresDatabase.Problem(store.Settings));
        Assert.StartsWith("the server has no database t_nothing_here", PostgresDatabase.Problem(missing));
        Assert.StartsWith("the server refused the credentials of user nobody_here", PostgresDatabase.Problem(stranger));
    }

    [SkippableFact]
    public async Task Should_refuse_writes_on_the_journal_tools_connections_and_an_empty_database()
    {
        var store = (PostgresTestDatabase)await Store("postgresql");
        var system = store.Start();
        await system.ActorOf(ApiTokenStore.Props(new ApiTokenCache(_clock), _clock), "tokens")
            .Ask<Issued>(new CreateToken(new ApiTokenName("ci-deploy"), ApiRole.Read), Timeout);
        await Stop(system);
        var empty = (PostgresTestDatabase)await Store("postgresql");

        await using (var connection = new Npgsql.NpgsqlConnection(ReadOnlyJournal.ConnectionString(store.Settings)))
        {
            await connection.OpenAsync();
            await using var write = connection.CreateCommand();
            write.CommandText = "DELETE FROM journal";
            var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => write.ExecuteNonQueryAsync());
            Assert.Equal(Npgsql.PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
        }
        await using (var journal = ReadOnlyJournal.Open(store.Settings))
            Assert.Equal([ApiTokenStore.Id], await journal.PersistenceIds());
        var nothing = Assert.Throws<InspectionException>(() => ReadOnlyJournal.Open(empty.Settings));
        Assert.StartsWith($"{empty.Settings.Description} holds no journal table", nothing.Message);
        Assert.Equal(0, empty.ReadNumber("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"));
        Assert.Equal(1, store.ReadNumber("SELECT COUNT(*) FROM journal"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        foreach (var store in _stores)
            store.Dispose();
        return Task.CompletedTask;
    }
}
