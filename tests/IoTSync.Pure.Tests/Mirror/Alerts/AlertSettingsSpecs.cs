using System.Text;
using Akka.Configuration;
using IoTSync.Mirror.Alerts;
using Xunit;

namespace IoTSync.Tests.Mirror.Alerts;

/// <summary><c>iotsync.mirror.alerts</c> over the shipped mirror.hocon, with secret files in a directory of the spec's own.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AlertSettingsSpecs : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-alerts-").FullName;

    private static Config Mirror(string alerts) => ConfigurationFactory.ParseString("iotsync.mirror.alerts { " + alerts + " }")
        .WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon")));

    private string SecretFile(string text, UnixFileMode mode = OwnerOnly)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("n") + ".secret");
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, mode);
        return path;
    }

    private static string Quoted(string text) => "\"" + text + "\"";

    [Fact]
    public void Should_run_no_webhook_and_give_working_defaults_in_the_shipped_file()
    {
        var settings = AlertSettings.FromConfig(Mirror(""));

        Assert.Empty(settings.Webhooks);
        Assert.Equal((TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24)), (settings.RetryInitial, settings.RetryMax, settings.GiveUpAfter));
        Assert.Equal(1000, settings.QueueSize);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.RequestTimeout);
    }

    [Fact]
    public void Should_read_each_webhook_with_its_secret_from_its_file()
    {
        var ops = SecretFile("ops-secret-0123456789\n");
        var audit = SecretFile("  audit-secret-0123456789  ");

        var settings = AlertSettings.FromConfig(Mirror($$"""
            webhooks = [
              { url = "https://ops.example/iotsync?token=t", secret-file = {{Quoted(ops)}}, statuses = [late, recovered] }
              { url = "http://127.0.0.1:9000/hook", secret-file = {{Quoted(audit)}} }
            ]
            """));

        Assert.Equal(2, settings.Webhooks.Length);
        Assert.Equal(new Uri("https://ops.example/iotsync?token=t"), settings.Webhooks[0].Url);
        Assert.Equal("https://ops.example/…", settings.Webhooks[0].Display);
        Assert.Equal("ops-secret-0123456789"u8.ToArray(), settings.Webhooks[0].Secret);
        Assert.Equal(["late", "recovered"], settings.Webhooks[0].Kinds.Order());
        Assert.Equal("audit-secret-0123456789"u8.ToArray(), settings.Webhooks[1].Secret);
        Assert.Equal(AlertKinds.Default, settings.Webhooks[1].Kinds);
    }

    [Fact]
    public void Should_keep_the_secret_and_the_url_path_query_and_user_out_of_the_settings_as_printed()
    {
        var settings = AlertSettings.FromConfig(Mirror($$"""webhooks = [{ url = "https://user:pw@ops.example/services/T0/TOKEN?key=K", secret-file = {{Quoted(SecretFile("never-print-this-secret"))}} }]"""));

        Assert.DoesNotContain("never-print-this-secret", settings.ToString());
        Assert.Equal("WebhookSettings { Url = https://ops.example/…, Kinds = [corrupt, diverged, failing, late, recovered] }", settings.Webhooks[0].ToString());
    }

    [Fact]
    public void Should_double_the_wait_after_each_failure_up_to_the_maximum()
    {
        var settings = AlertSettings.FromConfig(Mirror("retry { initial = 1s, max = 10s }"));

        Assert.Equal([1, 2, 4, 8, 10, 10], new[] { 1, 2, 3, 4, 5, 1000 }.Select(n => settings.RetryDelay(n).TotalSeconds));
    }

    [Theory]
    [InlineData("ftp://ops.example/x", "webhooks[0].url")]
    [InlineData("ops.example/x", "webhooks[0].url")]
    [InlineData("file:///etc/passwd", "webhooks[0].url")]
    public void Should_refuse_a_url_that_is_not_http_or_https_with_the_key_named(string url, string key)
    {
        var config = Mirror($$"""webhooks = [{ url = {{Quoted(url)}}, secret-file = {{Quoted(SecretFile("0123456789abcdef"))}} }]""");

        Assert.Contains("iotsync.mirror.alerts." + key, Assert.Throws<ConfigurationException>(() => AlertSettings.FromConfig(config)).Message);
    }

    [Fact]
    public void Should_refuse_a_bad_secret_file_with_the_key_named()
    {
        string Refusal(string secretFileLine) => Assert.Throws<ConfigurationException>(() =>
            AlertSettings.FromConfig(Mirror($$"""webhooks = [{ url = "https://ops.example/x" {{secretFileLine}} }]"""))).Message;
        var key = "iotsync.mirror.alerts.webhooks[0].secret-file";

        Assert.Contains(key + " must be set", Refusal(""));
        Assert.Contains(key, Refusal(", secret-file = " + Quoted(Path.Combine(_directory, "missing"))));
        Assert.Contains("at least 16", Refusal(", secret-file = " + Quoted(SecretFile("short\n"))));
        Assert.Contains("chmod 600", Refusal(", secret-file = " + Quoted(SecretFile("0123456789abcdef", OwnerOnly | UnixFileMode.GroupRead))));
        Assert.Contains(key, Refusal(", secret-file = " + Quoted(SecretFile("0123456789abcdef", OwnerOnly | UnixFileMode.OtherRead))));
    }

    [Theory]
    [InlineData("statuses = [late, dead]", "webhooks[0].statuses: 'dead'")]
    [InlineData("statuses = []", "webhooks[0].statuses is empty")]
    public void Should_refuse_an_unknown_or_empty_status_list_with_the_key_named(string line, string message)
    {
        var config = Mirror($$"""webhooks = [{ url = "https://ops.example/x", secret-file = {{Quoted(SecretFile("0123456789abcdef"))}}, {{line}} }]""");

        Assert.Contains("iotsync.mirror.alerts." + message, Assert.Throws<ConfigurationException>(() => AlertSettings.FromConfig(config)).Message);
    }

    [Theory]
    [InlineData("retry.initial = 0s", "retry.initial")]
    [InlineData("retry { initial = 10s, max = 1s }", "retry.max")]
    [InlineData("retry.give-up-after = never", "retry.give-up-after")]
    [InlineData("queue-size = 0", "queue-size")]
    [InlineData("request-timeout = 1ms", "request-timeout")]
    [InlineData("webhooks = \"https://ops.example/x\"", "webhooks")]
    [InlineData("webhooks = [\"https://ops.example/x\"]", "webhooks[0]")]
    public void Should_refuse_bad_values_with_the_key_named(string line, string key)
    {
        Assert.Contains("iotsync.mirror.alerts." + key, Assert.Throws<ConfigurationException>(() => AlertSettings.FromConfig(Mirror(line))).Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
