using IoTSync.Mirror.Tokens;
using Xunit;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Tests.Mirror.Tokens;

/// <summary>The HTTP API's view of the tokens: who a presented token is, or why it is refused.</summary>
public sealed class ApiTokenCacheSpecs
{
    private readonly FakeWallClock _wall = new(1_700_000_000_000);
    private ApiTokensState _state = ApiTokensState.Empty;

    private string Create(string name, ApiRole role, TimeSpan? validFor = null)
    {
        var bearer = BearerTokens.New();
        var (reply, events) = _state.Decide(new CreateToken(new ApiTokenName(name), role, validFor), bearer, _wall.UtcNowMs);
        Assert.IsType<Issued>(reply);
        _state = events.Aggregate(_state, (s, e) => s.Apply(e));
        return bearer;
    }

    private void Revoke(string name) =>
        _state = _state.Decide(new RevokeToken(new ApiTokenName(name)), _wall.UtcNowMs).Events.Aggregate(_state, (s, e) => s.Apply(e));

    private ApiTokenCache Published()
    {
        var cache = new ApiTokenCache(_wall);
        cache.Replace(_state);
        return cache;
    }

    [Fact]
    public void Should_give_each_valid_tokens_name_and_role()
    {
        var reader = Create("dashboard", ApiRole.Read);
        var admin = Create("ops", ApiRole.Admin);

        var cache = Published();

        Assert.Equal(new ApiPrincipal(new ApiTokenName("dashboard"), ApiRole.Read), cache.Authenticate(reader));
        Assert.Equal(new ApiPrincipal(new ApiTokenName("ops"), ApiRole.Admin), cache.Authenticate(admin));
        Assert.True(cache.Authenticate(admin)!.Allows(ApiRole.Operate));
        Assert.False(cache.Authenticate(reader)!.Allows(ApiRole.Operate));
    }

    [Fact]
    public void Should_refuse_a_wrong_or_malformed_token()
    {
        var good = Create("dashboard", ApiRole.Read);
        var cache = Published();
        var oneCharacterOff = good[..^1] + (good[^1] == 'A' ? 'B' : 'A');

        Assert.Equal(BearerRefusal.Unknown, cache.Check(BearerTokens.New()).Refusal);
        Assert.Equal(BearerRefusal.Unknown, cache.Check(oneCharacterOff).Refusal);
        Assert.Equal(BearerRefusal.Malformed, cache.Check(good + " ").Refusal);
        Assert.Equal(BearerRefusal.Malformed, cache.Check("Bearer " + good).Refusal);
        Assert.Equal(BearerRefusal.Malformed, cache.Check(null).Refusal);
        Assert.Equal(BearerRefusal.Malformed, cache.Check(_state.ByName["dashboard"].Sha256.ToHex()).Refusal);
        Assert.Null(cache.Authenticate(oneCharacterOff));
    }

    [Fact]
    public void Should_refuse_a_token_from_its_expiry_on()
    {
        var bearer = Create("short", ApiRole.Operate, TimeSpan.FromMinutes(1));
        var cache = Published();

        _wall.Advance(59_999);
        Assert.NotNull(cache.Authenticate(bearer));
        _wall.Advance(1);
        Assert.Equal(BearerRefusal.Expired, cache.Check(bearer).Refusal);
        Assert.Null(cache.Authenticate(bearer));
    }

    [Fact]
    public void Should_refuse_a_revoked_token_once_the_store_publishes_the_revocation_and_take_a_new_one_of_the_same_name()
    {
        var old = Create("ci", ApiRole.Operate);
        var cache = Published();
        Assert.NotNull(cache.Authenticate(old));

        Revoke("ci");
        var fresh = Create("ci", ApiRole.Read);
        cache.Replace(_state);

        Assert.Equal(BearerRefusal.Revoked, cache.Check(old).Refusal);
        Assert.Equal(ApiRole.Read, cache.Authenticate(fresh)!.Role);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Should_refuse_everything_before_the_store_has_published()
    {
        var bearer = Create("dashboard", ApiRole.Read);

        Assert.Equal(BearerRefusal.Unknown, new ApiTokenCache(_wall).Check(bearer).Refusal);
    }

    [Fact]
    public void Should_answer_tens_of_thousands_of_lookups_a_second()
    {
        for (var i = 0; i < 50; i++)
            Create($"t{i}", ApiRole.Read);
        var bearer = Create("hot", ApiRole.Operate);
        var cache = Published();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        const int lookups = 20_000;
        for (var i = 0; i < lookups; i++)
            Assert.NotNull(cache.Authenticate(bearer));

        // Generous for a loaded 2-core machine: a lookup costs a few microseconds; the aim is 10,000s a second.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"{lookups} lookups took {watch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void Should_publish_an_empty_state()
    {
        var cache = new ApiTokenCache(_wall);

        cache.Replace(ApiTokensState.Empty);

        Assert.Equal(0, cache.Count);
    }
}
