using IoTSync.Model;
using Xunit;

namespace IoTSync.Tests.Model;

public sealed class DeviceIdSpecs
{
    [Theory]
    [InlineData("a")]
    [InlineData("kat-device")]
    [InlineData("0sensor_7")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789-_abcdefghijklmnopqrstuvwxyz")] // 64 characters
    public void Should_accept_ids_of_the_conservative_alphabet(string value)
    {
        Assert.True(DeviceId.IsValid(value));
        Assert.Equal(value, new DeviceId(value).Value);
        Assert.Equal(value, new DeviceId(value).ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-leading-dash")]
    [InlineData("_leading")]
    [InlineData("Upper")]
    [InlineData("dot.ted")]
    [InlineData("space d")]
    [InlineData("ı-dotless")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789-_abcdefghijklmnopqrstuvwxyz0")] // 65 characters
    [InlineData("kat-device\n")]        // '$' alone would let a final newline through
    [InlineData("kat-device\r\n")]
    [InlineData("\nkat-device")]
    public void Should_refuse_anything_else(string? value)
    {
        Assert.False(DeviceId.IsValid(value));
        if (value is not null)
            Assert.Throws<ArgumentException>(() => new DeviceId(value));
    }
}
