using System.Collections.Concurrent;
using System.Text;
using Akka.Actor;
using Akka.Event;
using IoTSync.Inspection;
using IoTSync.Mirror.Tokens;
using Microsoft.Data.Sqlite;
using Xunit;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>
/// The ApiTokenStore on the real SQLite journal: a token is given once and only its hash is stored,
/// tokens and revocations survive a restart into the cache, and an event edited in the database is
/// alerted at recovery and named by the journal audit.
/// </summary>
public sealed class ApiTokenStoreSpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly ApiTokenName Ci = new("ci-deploy");
    private readonly SqliteTestDatabase _db = new();
    private readonly FakeWallClock _wall = new(1_700_000_000_000);

    private (ActorSystem System, IActorRef Store, ApiTokenCache Cache) Start(ConcurrentQueue<string>? log = null)
    {
        var system = _db.Start();
        if (log is not null)
            system.EventStream.Subscribe(system.ActorOf(Props.Create(() => new LogCollector(log))), typeof(Error));
        var cache = new ApiTokenCache(_wall);
        return (system, system.ActorOf(ApiTokenStore.Props(cache, _wall), "tokens"), cache);
    }

    private long StoredEvents => _db.ReadNumber("SELECT COUNT(*) FROM journal WHERE persistence_id = $id", ApiTokenStore.Id);

    [Fact]
    public async Task Should_give_the_token_once_store_only_its_hash_and_keep_it_across_a_restart()
    {
        var (first, store, cache) = Start();

        var issued = await store.Ask<Issued>(new CreateToken(Ci, ApiRole.Operate, TimeSpan.FromDays(30)), Timeout);

        Assert.True(BearerTokens.IsWellFormed(issued.Bearer));
        Assert.Equal(new ApiPrincipal(Ci, ApiRole.Operate), cache.Authenticate(issued.Bearer));
        Assert.Equal(new ApiTokenListing(Ci, ApiRole.Operate, _wall.UtcNowMs, _wall.UtcNowMs + 30L * 86_400_000, null), issued.Token);
        await SqliteTestDatabase.Stop(first);
        Assert.Equal(1, StoredEvents);
        var payload = StoredPayloads();
        Assert.DoesNotContain(issued.Bearer[BearerTokens.Prefix.Length..], payload);
        Assert.Contains(BearerTokens.HashOf(issued.Bearer).ToHex(), payload);

        var (_, again, recovered) = Start();
        var tokens = await again.Ask<TokenList>(ListTokens.Instance, Timeout);

        Assert.Equal(issued.Token, Assert.Single(tokens.All));
        Assert.Equal(ApiRole.Operate, recovered.Authenticate(issued.Bearer)!.Role);
        Assert.Equal(BearerRefusal.Unknown, recovered.Check(BearerTokens.New()).Refusal);
    }

    [Fact]
    public async Task Should_refuse_a_revoked_token_at_once_and_after_a_restart()
    {
        var (first, store, cache) = Start();
        var issued = await store.Ask<Issued>(new CreateToken(Ci, ApiRole.Admin), Timeout);
        _wall.Advance(1_000);

        var revoked = await store.Ask<Revoked>(new RevokeToken(Ci), Timeout);

        Assert.Equal(_wall.UtcNowMs, revoked.Token.RevokedAtUnixMs);
        Assert.Equal(BearerRefusal.Revoked, cache.Check(issued.Bearer).Refusal);
        await SqliteTestDatabase.Stop(first);

        var (_, again, recovered) = Start();
        var listed = Assert.Single((await again.Ask<TokenList>(ListTokens.Instance, Timeout)).All);

        Assert.Equal(revoked.Token, listed);
        Assert.Equal(BearerRefusal.Revoked, recovered.Check(issued.Bearer).Refusal);
        // The name is free again, and the new token is not the old one.
        var reissued = await again.Ask<Issued>(new CreateToken(Ci, ApiRole.Read), Timeout);
        Assert.Equal(ApiRole.Read, recovered.Authenticate(reissued.Bearer)!.Role);
        Assert.Equal(BearerRefusal.Revoked, recovered.Check(issued.Bearer).Refusal);
    }

    [Fact]
    public async Task Should_refuse_a_duplicate_name_and_an_unknown_revocation_and_write_nothing()
    {
        var (system, store, _) = Start();
        await store.Ask<Issued>(new CreateToken(Ci, ApiRole.Read), Timeout);

        var duplicate = await store.Ask<TokenRefused>(new CreateToken(Ci, ApiRole.Admin), Timeout);
        var unknown = await store.Ask<TokenRefused>(new RevokeToken(new ApiTokenName("nobody")), Timeout);

        Assert.Equal(TokenRefusal.Duplicate, duplicate.Kind);
        Assert.Equal(TokenRefusal.Unknown, unknown.Kind);
        await SqliteTestDatabase.Stop(system);
        Assert.Equal(1, StoredEvents);
    }

    [Fact]
    public async Task Should_alert_at_recovery_and_name_in_the_audit_an_event_whose_role_was_raised_in_the_database()
    {
        var (first, store, _) = Start();
        var issued = await store.Ask<Issued>(new CreateToken(Ci, ApiRole.Read), Timeout);
        await store.Ask<Issued>(new CreateToken(new ApiTokenName("dashboard"), ApiRole.Read), Timeout);
        await SqliteTestDatabase.Stop(first);
        EditFirstEvent("\"role\":\"read\"", "\"role\":\"admin\"");

        var log = new ConcurrentQueue<string>();
        var (_, again, recovered) = Start(log);
        await again.Ask<TokenList>(ListTokens.Instance, Timeout);

        await Polling.Until(() => Task.FromResult(log.Any(l => l.Contains("ALERT api token event 1 (api-token-created of token ci-deploy)"))),
            Timeout, "the recovery's alert about event 1");
        Assert.DoesNotContain(log, l => l.Contains("event 2"));
        // As the device registry does, the journal as it stands is what the node has: the alert and the audit are the defence.
        Assert.Equal(ApiRole.Admin, recovered.Authenticate(issued.Bearer)!.Role);
        var verified = await Verify();
        Assert.False(verified.Holds);
        var finding = Assert.Single(verified.Findings).Finding;
        Assert.StartsWith("api tokens, event 1: api-token-created of token ci-deploy: the stored hash", finding.ToString());
    }

    [Fact]
    public async Task Should_audit_an_unedited_token_journal_clean()
    {
        var (system, store, _) = Start();
        await store.Ask<Issued>(new CreateToken(Ci, ApiRole.Read), Timeout);
        await store.Ask<Revoked>(new RevokeToken(Ci), Timeout);
        await SqliteTestDatabase.Stop(system);

        var verified = await Verify();

        Assert.True(verified.Holds, string.Join("\n", verified.Findings));
        Assert.Contains(verified.Others!, line => line.StartsWith("api tokens: 2 events, 0 not revoked, 1 revoked", StringComparison.Ordinal));
    }

    /// <summary>What <c>journal verify</c> on this mirror database finds.</summary>
    private Task<VerificationResult> Verify() => JournalVerification.Run(new VerifyRequest(NodeRole.Mirror, _db.Path, null, null, null));

    private string StoredPayloads()
    {
        using var connection = Open();
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT message FROM journal WHERE persistence_id = '{ApiTokenStore.Id}'";
        using var reader = read.ExecuteReader();
        var payloads = new StringBuilder();
        while (reader.Read())
            payloads.Append(Encoding.UTF8.GetString((byte[])reader.GetValue(0)));
        return payloads.ToString();
    }

    /// <summary>Replaces text in the first token event's stored payload, as someone with the file could.</summary>
    private void EditFirstEvent(string from, string to)
    {
        using var connection = Open();
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT message FROM journal WHERE persistence_id = '{ApiTokenStore.Id}' AND sequence_number = 1";
        var json = Encoding.UTF8.GetString((byte[])read.ExecuteScalar()!);
        var changed = json.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(json, changed);
        using var write = connection.CreateCommand();
        write.CommandText = $"UPDATE journal SET message = $message WHERE persistence_id = '{ApiTokenStore.Id}' AND sequence_number = 1";
        write.Parameters.AddWithValue("$message", Encoding.UTF8.GetBytes(changed));
        Assert.Equal(1, write.ExecuteNonQuery());
    }

    private SqliteConnection Open()
    {
        IoTSync.Persistence.SqlitePersistence.ClearPool(_db.Path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db.Path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    public void Dispose() => _db.Dispose();

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> lines) => Receive<LogEvent>(e => lines.Enqueue($"{e.LogLevel()} {e.Message}"));
    }
}
