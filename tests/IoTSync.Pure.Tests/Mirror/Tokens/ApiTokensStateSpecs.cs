using IoTSync.Mirror.Tokens;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;
using static IoTSync.Mirror.Tokens.ApiTokenStoreMessages;

namespace IoTSync.Tests.Mirror.Tokens;

/// <summary>The ApiTokenStore's decisions, without an actor system.</summary>
public sealed class ApiTokensStateSpecs
{
    private const long Now = 1_700_000_000_000;
    private static readonly ApiTokenName Ci = new("ci-deploy");
    private static readonly string Bearer = BearerTokens.New();

    private static ApiTokensState Fold(ApiTokensState state, IEnumerable<IIoTSyncMessage> events) => events.Aggregate(state, (s, e) => s.Apply(e));

    private static ApiTokensState With(params (string Name, ApiRole Role)[] tokens) =>
        tokens.Aggregate(ApiTokensState.Empty, (s, t) => Fold(s, s.Decide(new CreateToken(new ApiTokenName(t.Name), t.Role), BearerTokens.New(), Now).Events));

    [Fact]
    public void Should_create_a_token_with_one_event_that_keeps_the_texts_hash_and_never_the_text()
    {
        var (reply, events) = ApiTokensState.Empty.Decide(new CreateToken(Ci, ApiRole.Operate, TimeSpan.FromDays(1)), Bearer, Now);

        var issued = Assert.IsType<Issued>(reply);
        Assert.Equal(Bearer, issued.Bearer);
        Assert.Equal(new ApiTokenListing(Ci, ApiRole.Operate, Now, Now + 86_400_000, null), issued.Token);
        Assert.Equal([new TokenCreated(Ci, ApiRole.Operate, BearerTokens.HashOf(Bearer), Now, Now + 86_400_000)], events.ToArray());
        Assert.DoesNotContain(Bearer[BearerTokens.Prefix.Length..], System.Text.Encoding.UTF8.GetString(IoTSyncCodec.Encode(events[0])));
        Assert.DoesNotContain(Bearer[BearerTokens.Prefix.Length..], issued.ToString());
        Assert.Equal([issued.Token], Fold(ApiTokensState.Empty, events).Listing.ToArray());
    }

    [Fact]
    public void Should_create_a_token_without_expiry()
    {
        var (reply, _) = ApiTokensState.Empty.Decide(new CreateToken(Ci, ApiRole.Read), Bearer, Now);

        Assert.Null(Assert.IsType<Issued>(reply).Token.ExpiresAtUnixMs);
    }

    [Fact]
    public void Should_refuse_a_name_a_token_that_is_not_revoked_has_even_when_it_expired()
    {
        var state = Fold(ApiTokensState.Empty, ApiTokensState.Empty.Decide(new CreateToken(Ci, ApiRole.Read, TimeSpan.FromMinutes(1)), Bearer, Now).Events);

        var (reply, events) = state.Decide(new CreateToken(Ci, ApiRole.Admin), BearerTokens.New(), Now + 120_000);

        var refused = Assert.IsType<TokenRefused>(reply);
        Assert.Equal(TokenRefusal.Duplicate, refused.Kind);
        Assert.Contains("'ci-deploy' exists (expired)", refused.Reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_free_a_name_once_its_token_is_revoked_and_list_both()
    {
        var state = With(("ci-deploy", ApiRole.Read));
        state = Fold(state, state.Decide(new RevokeToken(Ci), Now + 5).Events);

        var (reply, events) = state.Decide(new CreateToken(Ci, ApiRole.Admin), BearerTokens.New(), Now + 10);
        state = Fold(state, events);

        Assert.IsType<Issued>(reply);
        Assert.Equal([(ApiRole.Read, (long?)(Now + 5)), (ApiRole.Admin, null)], state.Listing.Select(t => (t.Role, t.RevokedAtUnixMs)).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Should_refuse_a_validity_that_is_not_positive(int seconds)
    {
        var (reply, events) = ApiTokensState.Empty.Decide(new CreateToken(Ci, ApiRole.Read, TimeSpan.FromSeconds(seconds)), Bearer, Now);

        Assert.Equal(TokenRefusal.Invalid, Assert.IsType<TokenRefused>(reply).Kind);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_refuse_a_missing_name_or_role()
    {
        Assert.Equal(TokenRefusal.Invalid, Assert.IsType<TokenRefused>(ApiTokensState.Empty.Decide(new CreateToken(default, ApiRole.Read), Bearer, Now).Reply).Kind);
        var noRole = Assert.IsType<TokenRefused>(ApiTokensState.Empty.Decide(new CreateToken(Ci, default), Bearer, Now).Reply);
        Assert.Contains("read, operate or admin", noRole.Reason);
        Assert.Equal(TokenRefusal.Invalid, Assert.IsType<TokenRefused>(ApiTokensState.Empty.Decide(new RevokeToken(default), Now).Reply).Kind);
    }

    [Fact]
    public void Should_revoke_a_token_with_one_event_and_refuse_an_unknown_name()
    {
        var state = With(("ci-deploy", ApiRole.Operate), ("dashboard", ApiRole.Read));

        var (reply, events) = state.Decide(new RevokeToken(Ci), Now + 7);
        var (unknown, none) = state.Decide(new RevokeToken(new ApiTokenName("nobody")), Now + 7);

        Assert.Equal(new ApiTokenListing(Ci, ApiRole.Operate, Now, null, Now + 7), Assert.IsType<Revoked>(reply).Token);
        Assert.Equal([new TokenRevoked(Ci, Now + 7)], events.ToArray());
        var refused = Assert.IsType<TokenRefused>(unknown);
        Assert.Equal((TokenRefusal.Unknown, "no token is named 'nobody'"), (refused.Kind, refused.Reason));
        Assert.Empty(none);
        state = Fold(state, events);
        Assert.Equal(["dashboard"], state.ByName.Keys.ToArray());
        Assert.Equal("ci-deploy", Assert.Single(state.Revoked).Name.Value);
    }

    [Fact]
    public void Should_answer_a_second_revocation_with_the_token_as_it_stands_and_write_nothing()
    {
        var state = With(("ci-deploy", ApiRole.Operate));
        state = Fold(state, state.Decide(new RevokeToken(Ci), Now + 7).Events);

        var (reply, events) = state.Decide(new RevokeToken(Ci), Now + 9);

        Assert.Equal(Now + 7, Assert.IsType<Revoked>(reply).Token.RevokedAtUnixMs);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_never_list_a_hash()
    {
        var state = With(("ci-deploy", ApiRole.Operate));

        Assert.DoesNotContain(state.ByName["ci-deploy"].Sha256.ToHex(), string.Join("\n", state.Listing) + state.ByName["ci-deploy"]);
    }

    [Fact]
    public void Should_tell_live_expired_and_revoked_apart()
    {
        var listing = new ApiTokenListing(Ci, ApiRole.Read, Now, Now + 10, null);

        Assert.Equal(("live", "expired", "revoked"), (listing.StatusAt(Now + 9), listing.StatusAt(Now + 10), (listing with { RevokedAtUnixMs = Now }).StatusAt(Now)));
        Assert.True(listing.IsLiveAt(Now + 9));
        Assert.False(listing.IsLiveAt(Now + 10));
    }
}
