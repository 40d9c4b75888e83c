using System.Text.Json;
using Akka.Configuration;
using IoTSync.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace IoTSync.Tests.Hosting;

/// <summary>
/// The JSON log line (<c>iotsync.logging.format = json</c>): an Akka event's header taken apart into
/// fields, the device id as a field, one line per event with its exception inside; the format's
/// setting; and the watchdog's interval read from systemd's variables.
/// </summary>
public sealed class NodeLogFormatSpecs
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 7, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Should_take_an_akka_line_apart_and_name_the_device_node_s_own_id()
    {
        var line = Format(LogLevel.Information, "Akka.Event.LoggerFactoryLogger",
            "[INFO][11/30/2026 07:00:00.123Z][Thread 0012][akka://iotsync-device/user/cycle] window 3 closed after 12.5 ms", "pump-7");

        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("info", json.GetProperty("level").GetString());
        Assert.Equal("akka://iotsync-device/user/cycle", json.GetProperty("source").GetString());
        Assert.Equal("pump-7", json.GetProperty("deviceId").GetString());
        Assert.Equal("window 3 closed after 12.5 ms", json.GetProperty("message").GetString());
        Assert.Equal("2026-11-30T07:00:00.000Z", json.GetProperty("time").GetString());
    }

    [Fact]
    public void Should_read_the_device_a_mirror_line_names_first_and_keep_an_exception_on_the_line()
    {
        var line = Format(LogLevel.Error, "IoTSync.Mirror", "[pump-7] session 4 failed\nsecond line", null, new InvalidOperationException("boom"));

        Assert.DoesNotContain('\n', line);
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal("pump-7", json.GetProperty("deviceId").GetString());
        Assert.Equal("IoTSync.Mirror", json.GetProperty("source").GetString());
        Assert.Equal("[pump-7] session 4 failed\nsecond line", json.GetProperty("message").GetString());
        Assert.Contains("boom", json.GetProperty("exception").GetString());
        Assert.False(JsonDocument.Parse(Format(LogLevel.Warning, "x", "no device here", null)).RootElement.TryGetProperty("deviceId", out _));
    }

    [Theory]
    [InlineData("iotsync.logging.format = text", false)]
    [InlineData("iotsync.logging.format = json", true)]
    [InlineData("", false)]
    public void Should_read_the_format_from_the_configuration(string hocon, bool json) =>
        Assert.Equal(json, NodeLogSettings.FromConfig(ConfigurationFactory.ParseString(hocon), "d").Json);

    [Fact]
    public void Should_refuse_an_unknown_format() =>
        Assert.Throws<ConfigurationException>(() => NodeLogSettings.FromConfig(ConfigurationFactory.ParseString("iotsync.logging.format = xml")));

    [Theory]
    [InlineData("30000000", null, 15_000)]
    [InlineData("30000000", "4242", 15_000)]
    [InlineData("30000000", "1", null)]
    [InlineData(null, null, null)]
    [InlineData("0", null, null)]
    [InlineData("soon", null, null)]
    public void Should_feed_the_watchdog_at_half_its_interval_only_when_it_is_meant_for_this_process(string? usec, string? pid, int? milliseconds) =>
        Assert.Equal(milliseconds is { } ms ? TimeSpan.FromMilliseconds(ms) : null, SystemdWatchdog.FeedEvery(usec, pid, 4242));

    private static string Format(LogLevel level, string category, string message, string? deviceId, Exception? exception = null) =>
        JsonLineFormatter.Format(new LogEntry<string>(level, category, default, message, exception, (state, _) => state), deviceId, Now);
}
