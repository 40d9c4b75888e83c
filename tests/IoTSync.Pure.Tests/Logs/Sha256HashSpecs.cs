using IoTSync.Logs;
using Xunit;

namespace IoTSync.Tests.Logs;

public sealed class Sha256HashSpecs
{
    [Fact]
    public void Should_match_the_standard_sha256_test_vector_in_lower_case_hex()
    {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        var hash = Sha256Hash.Of("abc"u8);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hash.ToHex());
        Assert.Equal("ba7816bf8f01", hash.Short);
        Assert.Equal(hash.ToHex(), hash.ToString());
    }

    [Fact]
    public void Should_round_trip_through_hex_and_compare_by_content()
    {
        var hash = Sha256Hash.Of("abc"u8);
        var parsed = Sha256Hash.Parse(hash.ToHex().ToUpperInvariant());

        Assert.Equal(hash, parsed);
        Assert.True(hash == parsed);
        Assert.Equal(hash.GetHashCode(), parsed.GetHashCode());
        Assert.NotEqual(hash, Sha256Hash.Of("abd"u8));
    }

    [Fact]
    public void Should_treat_default_as_zero()
    {
        Assert.Equal(Sha256Hash.Zero, default);
        Assert.Equal(new string('0', 64), default(Sha256Hash).ToHex());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015")]
    [InlineData("zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Should_refuse_what_is_not_64_hex_digits(string? text)
    {
        Assert.False(Sha256Hash.TryParse(text, out _));
        if (text is not null)
            Assert.Throws<FormatException>(() => Sha256Hash.Parse(text));
    }

    [Fact]
    public void Should_refuse_a_wrong_byte_count()
    {
        Assert.Throws<ArgumentException>(() => Sha256Hash.FromBytes(new byte[31]));
        Assert.Equal(Sha256Hash.Of("x"u8), Sha256Hash.FromBytes(Sha256Hash.Of("x"u8).Bytes));
    }
}
