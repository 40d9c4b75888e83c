using IoTSync.Mirror.Tokens;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.Tokens.ApiTokenEvents;

namespace IoTSync.Tests.Mirror.Tokens;

/// <summary>Roles, token names, token texts, and how the events are stored.</summary>
public sealed class ApiTokenBasicsSpecs
{
    [Theory]
    [InlineData("read", ApiRole.Read)]
    [InlineData("operate", ApiRole.Operate)]
    [InlineData("admin", ApiRole.Admin)]
    public void Should_parse_each_roles_word_and_print_it_back(string word, ApiRole role)
    {
        Assert.Equal(role, ApiRoles.Parse(word));
        Assert.Equal(word, role.Word());
    }

    [Theory]
    [InlineData("Admin")]
    [InlineData("admin ")]
    [InlineData("2")]
    [InlineData("root")]
    [InlineData("")]
    [InlineData(null)]
    public void Should_refuse_anything_else_as_a_role_saying_which_words_are_roles(string? word)
    {
        Assert.False(ApiRoles.TryParse(word, out _));
        Assert.Contains("use read, operate or admin", Assert.Throws<FormatException>(() => ApiRoles.Parse(word)).Message);
    }

    [Fact]
    public void Should_include_each_weaker_role_in_a_stronger_one()
    {
        Assert.True(ApiRole.Admin.Allows(ApiRole.Operate));
        Assert.True(ApiRole.Operate.Allows(ApiRole.Read));
        Assert.True(ApiRole.Operate.Allows(ApiRole.Operate));
        Assert.False(ApiRole.Operate.Allows(ApiRole.Admin));
        Assert.False(ApiRole.Read.Allows(ApiRole.Operate));
        Assert.False(default(ApiRole).Allows(default));
        Assert.False(((ApiRole)9).Allows(ApiRole.Read));
    }

    [Theory]
    [InlineData("ci-deploy", true)]
    [InlineData("dashboard_1", true)]
    [InlineData("a", true)]
    [InlineData("-x", false)]
    [InlineData("CI", false)]
    [InlineData("has space", false)]
    [InlineData("name\n", false)]
    [InlineData("", false)]
    public void Should_take_token_names_of_the_device_id_alphabet(string name, bool valid)
    {
        Assert.Equal(valid, ApiTokenName.IsValid(name));
        Assert.Equal(valid, ApiTokenName.TryParse(name, out _));
        Assert.Equal(valid, ApiTokenName.Problem(name) is null);
        if (!valid)
            Assert.Throws<ArgumentException>(() => new ApiTokenName(name));
    }

    [Fact]
    public void Should_take_names_up_to_64_characters()
    {
        Assert.True(ApiTokenName.IsValid(new string('a', 64)));
        Assert.False(ApiTokenName.IsValid(new string('a', 65)));
    }

    [Fact]
    public void Should_make_recognisable_unpadded_base64url_tokens_of_32_random_bytes()
    {
        var token = BearerTokens.New();

        Assert.Matches("^iotsync_[A-Za-z0-9_-]{43}$", token);
        Assert.Equal(32, System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(BearerTokens.Prefix.Length)).Length);
        Assert.True(BearerTokens.IsWellFormed(token));
        Assert.NotEqual(token, BearerTokens.New());
    }

    [Theory]
    [InlineData("")]
    [InlineData("iotsync_")]
    [InlineData("Bearer iotsync_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("iotsync_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("iotsync_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+")]
    [InlineData("IOTSYNC_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("iotsync_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void Should_refuse_what_is_not_the_shape_of_a_token(string text) => Assert.False(BearerTokens.IsWellFormed(text));

    [Fact]
    public void Should_hash_the_tokens_text_with_sha256()
    {
        var token = BearerTokens.New();

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(token))), BearerTokens.HashOf(token).ToHex());
    }

    [Fact]
    public void Should_store_the_role_as_its_word_and_refuse_a_stored_number_or_bad_name()
    {
        var created = new TokenCreated(new ApiTokenName("ci"), ApiRole.Admin, BearerTokens.HashOf(BearerTokens.New()), 5);
        var json = System.Text.Encoding.UTF8.GetString(IoTSyncCodec.Encode(created));

        Assert.Contains("\"role\":\"admin\"", json);
        Assert.Contains("\"name\":\"ci\"", json);
        Assert.Equal(created, IoTSyncCodec.Decode<TokenCreated>(System.Text.Encoding.UTF8.GetBytes(json)));
        Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json.Replace("\"admin\"", "3")), "api-token-created"));
        Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json.Replace("\"admin\"", "\"root\"")), "api-token-created"));
        Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json.Replace("\"ci\"", "\"CI\"")), "api-token-created"));
    }
}
