using System.Text.RegularExpressions;
using Akka.Configuration;
using IoTSync.Device;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Persistence;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Configuration;

/// <summary>The files under hocon/ as the nodes read them (copied to the test output's hocon/ folder).</summary>
public sealed partial class HoconSpecs
{
    private static string HoconFile(string name) => Path.Combine(AppContext.BaseDirectory, "hocon", name);

    [Theory]
    [InlineData("shared.hocon")]
    [InlineData("device.hocon")]
    [InlineData("mirror.hocon")]
    public void Should_have_a_comment_above_every_key(string file)
    {
        var lines = File.ReadAllLines(HoconFile(file));
        var uncommented = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (!KeyLine().IsMatch(lines[i]))
                continue;
            var previous = lines.Take(i).LastOrDefault(l => l.Trim().Length > 0)?.Trim() ?? "";
            if (!previous.StartsWith('#'))
                uncommented.Add($"{file}:{i + 1}: {lines[i].Trim()}");
        }
        Assert.Empty(uncommented);
        Assert.DoesNotContain(lines, l => !l.TrimStart().StartsWith('#') && l.Contains("${?"));
        Assert.True(lines.Count(l => KeyLine().IsMatch(l)) >= 3, "the check found no keys: is the pattern right?");
    }

    [Fact]
    public void Should_give_the_device_node_working_defaults()
    {
        var config = IoTSyncSystem.LoadNodeConfig(HoconFile("device.hocon"));

        var persistence = IoTSyncPersistenceSettings.FromConfig(config);
        Assert.Equal("device.db", Path.GetFileName(persistence.DatabasePath));
        Assert.Equal(SqliteSynchronous.Full, persistence.Synchronous);
        Assert.True(DeviceId.IsValid(config.GetString("iotsync.device.id")));
        var recorder = CommandRecorderSettings.FromConfig(config);
        Assert.Equal(TimeSpan.FromSeconds(2), recorder.ExecutionBudget);
        Assert.Equal(persistence.SnapshotEvery, recorder.Journal.SnapshotEvery);
        Assert.Equal(256, ExchangeSettings.FromConfig(config).MaxBatchEntries);
    }

    [Fact]
    public void Should_give_the_mirror_node_working_defaults()
    {
        var config = IoTSyncSystem.LoadNodeConfig(HoconFile("mirror.hocon"));

        Assert.Equal("mirror.db", Path.GetFileName(IoTSyncPersistenceSettings.FromConfig(config).DatabasePath));
        var journal = StateJournalSettings.FromConfig(config);
        Assert.Equal(10_000, journal.MaxOpenCommands);
        Assert.Equal(65_536, journal.MaxCommandBytes);
        Assert.Equal(WindowRetention.Default, journal.Retention);
        Assert.Equal(new HealthWatchSettings(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), HealthWatchSettings.FromConfig(config));
        Assert.Equal(HeartbeatRate.Default, MirrorNodeSettings.FromConfig(config).HeartbeatRate);
    }

    [Theory]
    [InlineData("device.hocon")]
    [InlineData("mirror.hocon")]
    public void Should_leave_no_serializer_a_peer_could_name_and_run_untrusted(string file)
    {
        var config = IoTSyncSystem.Complete(IoTSyncSystem.LoadNodeConfig(HoconFile(file)));

        Assert.Equal("none", config.GetString("akka.actor.serializers.json"));
        Assert.Equal("none", config.GetString("akka.actor.serializers.proto"));
        Assert.False(config.GetBoolean("akka.actor.serialization-settings.allow-unregistered-types", true));
        Assert.True(config.GetBoolean("akka.remote.untrusted-mode"));
        // Even a node file that tried to bring the JSON serializer back loses to the hardening in front of it.
        var reopened = IoTSyncSystem.Complete(ConfigurationFactory.ParseString(
            "akka.actor.serializers.json = \"Akka.Serialization.NewtonSoftJsonSerializer, Akka\"").WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile(file))));
        Assert.Equal("none", reopened.GetString("akka.actor.serializers.json"));
    }

    [Theory]
    [InlineData("late-after-missed-windows = 0", "late-after-missed-windows")]
    [InlineData("late-after-missed-windows = many", "late-after-missed-windows")]
    [InlineData("late-check-every = 10ms", "late-check-every")]
    [InlineData("late-check-every = soon", "late-check-every")]
    public void Should_refuse_bad_late_device_settings_with_the_key_named(string line, string key)
    {
        var config = ConfigurationFactory.ParseString("iotsync.mirror { " + line + " }")
            .WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile("mirror.hocon")));

        var error = Assert.Throws<ConfigurationException>(() => HealthWatchSettings.FromConfig(config));

        Assert.Contains("iotsync.mirror." + key, error.Message);
    }

    [Fact]
    public void Should_refuse_bad_values_with_the_key_named()
    {
        var config = ConfigurationFactory.ParseString("""
            iotsync.device { issuer = "d", execution-budget = 0s }
            iotsync.mirror { max-open-commands = 0, max-command-bytes = 10 }
            iotsync.exchange.max-batch-entries = 0
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile("device.hocon")));

        Assert.Contains("execution-budget", Assert.Throws<ConfigurationException>(() => CommandRecorderSettings.FromConfig(config)).Message);
        Assert.Contains("max-open-commands", Assert.Throws<ConfigurationException>(() => StateJournalSettings.FromConfig(config)).Message);
        Assert.Contains("max-batch-entries", Assert.Throws<ConfigurationException>(() => ExchangeSettings.FromConfig(config)).Message);
    }

    [Fact]
    public void Should_say_which_file_is_missing()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("n"), "device.hocon");

        Assert.Contains(missing, Assert.Throws<ConfigurationException>(() => IoTSyncSystem.LoadNodeConfig(missing)).Message);
    }

    /// <summary>An assignment or an object key: `name =`, `name:` or `name {`, not a comment or a closing brace.</summary>
    [GeneratedRegex(@"^\s*[a-z][\w.-]*\s*(=|:|\{)")]
    private static partial Regex KeyLine();
}
