using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Mirror.Tokens;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;

namespace IoTSync.Tests.Mirror.Tokens;

/// <summary>The hash chain over the API tokens' events, and its audit for <c>journal verify</c>.</summary>
public sealed class ApiTokenChainSpecs
{
    private static readonly ApiTokenName Ci = new("ci-deploy");
    private static readonly Sha256Hash TokenHash = BearerTokens.HashOf(BearerTokens.New());

    private static IIoTSyncMessage[] Chained(params IIoTSyncMessage[] events)
    {
        var head = ApiTokenChain.Genesis;
        return [.. events.Select(e => { (var sealedEvent, head) = ApiTokenChain.Seal(head, e); return sealedEvent; })];
    }

    private static ApiTokenAudit Audit(IEnumerable<IIoTSyncMessage> events, int skip = 0)
    {
        var audit = new ApiTokenAudit();
        var at = 0L;
        foreach (var @event in events)
        {
            at += 1 + (at == 1 ? skip : 0);
            audit.Feed(new StoredEvent(at, 0, IoTSyncCodec.Decode(IoTSyncCodec.Encode(@event), IoTSyncCodec.ManifestOf(@event))));
        }
        return audit;
    }

    private static IIoTSyncMessage[] Written() => Chained(
        new TokenCreated(Ci, ApiRole.Read, TokenHash, 5),
        new TokenCreated(new ApiTokenName("dashboard"), ApiRole.Operate, BearerTokens.HashOf(BearerTokens.New()), 6, 1_000),
        new TokenRevoked(Ci, 7));

    [Fact]
    public void Should_verify_a_chained_token_journal_clean()
    {
        var events = Written();

        var audit = Audit(events);

        Assert.Empty(audit.Findings);
        Assert.All(events, e => Assert.NotNull(ApiTokenChain.StoredHash(e)));
        Assert.StartsWith("api tokens: 3 events, 1 not revoked, 1 revoked, head ", audit.Describe());
    }

    [Fact]
    public void Should_name_only_the_event_whose_role_was_raised()
    {
        var events = Written();
        events[0] = ((TokenCreated)events[0]) with { Role = ApiRole.Admin };

        var finding = Assert.Single(Audit(events).Findings);

        Assert.Equal(FindingPlace.Tokens, finding.Place);
        Assert.Equal(1, finding.Sequence);
        Assert.StartsWith("api tokens, event 1: api-token-created of token ci-deploy: the stored hash", finding.ToString());
        Assert.Contains("was edited", finding.Reason);
    }

    [Fact]
    public void Should_name_an_event_whose_chain_hash_was_removed()
    {
        var events = Written();
        events[2] = ((TokenRevoked)events[2]) with { Hash = null };

        var finding = Assert.Single(Audit(events).Findings);

        Assert.Equal(3, finding.Sequence);
        Assert.Contains("carries no hash", finding.Reason);
    }

    [Fact]
    public void Should_find_a_revocation_deleted_from_the_journal()
    {
        var events = Written();

        var findings = Audit([events[0], events[2]], skip: 1).Findings;

        Assert.Contains(findings, f => f.Reason == "event 2 is missing");
        Assert.Contains(findings, f => f.Sequence == 3 && f.Reason.Contains("the stored hash"));
    }

    [Fact]
    public void Should_hash_the_event_without_its_stored_hash()
    {
        var plain = new TokenRevoked(Ci, 5);
        var (sealedEvent, head) = ApiTokenChain.Seal(ApiTokenChain.Genesis, plain);

        Assert.Equal(head, ApiTokenChain.Next(ApiTokenChain.Genesis, sealedEvent));
        Assert.Equal(head, ApiTokenChain.StoredHash(sealedEvent));
        Assert.NotEqual(head, ApiTokenChain.Next(ApiTokenChain.Genesis, plain with { AtUnixMs = 6 }));
        Assert.NotEqual(head, ApiTokenChain.Next(IoTSync.Mirror.RegistryChain.Genesis, plain));
    }
}
