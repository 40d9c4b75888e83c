using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace IoTSync.Tests.Mirror.Alerts;

/// <summary>
/// The alerts as the mirror's core registers them, from mirror.hocon: no alert actor without webhooks;
/// with one, a health change published on the core's EventStream reaches a receiver on loopback.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AlertsRegistrationSpecs : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-alerts-host-").FullName;

    private Config MirrorConfig(string alerts) =>
        ConfigurationFactory.ParseString($$"""
            iotsync.tls.enabled = off
            iotsync.mirror.ssh.private-key = "{{_directory}}/mirror_ssh_key"
            iotsync.persistence.database-path = "{{_directory}}/mirror.db"
            iotsync.mirror.alerts { {{alerts}} }
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            """).WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon")));

    private static async Task Core(Config config, Func<ActorSystem, Task> check)
    {
        var parts = MirrorNodeParts.FromConfig(config);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAkka(parts.Settings.SystemName, akka => akka.AddIoTSyncCore(config).AddMirrorCore(parts));
        using var host = builder.Build();
        using var deadline = new CancellationTokenSource(Deadline);
        await host.StartAsync(deadline.Token);
        try
        {
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            await registry.GetAsync<MirrorNodeActors.LateWatch>(deadline.Token);
            await check(host.Services.GetRequiredService<ActorSystem>());
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Should_run_no_alert_actor_without_webhooks()
    {
        await Core(MirrorConfig(""), async system =>
            await Assert.ThrowsAsync<ActorNotFoundException>(() => system.ActorSelection("/user/alerts").ResolveOne(TimeSpan.FromSeconds(5))));
    }

    [Fact]
    public async Task Should_send_a_health_change_on_the_core_to_the_configured_webhook()
    {
        var secret = "the-registration-spec-secret-0000"u8.ToArray();
        var secretFile = Path.Combine(_directory, "hook.secret");
        File.WriteAllBytes(secretFile, secret);
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var receiver = await WebhookReceiver.Start(secret);

        await Core(MirrorConfig($$"""webhooks = [{ url = "{{receiver.Url}}", secret-file = "{{secretFile}}" }]"""), async system =>
        {
            var alerts = await system.ActorSelection("/user/alerts").ResolveOne(TimeSpan.FromSeconds(5));
            await alerts.Ask<WebhookAlertsMessages.WebhookStatus>(new WebhookAlertsMessages.GetWebhookStatus(0), TimeSpan.FromSeconds(5));
            system.EventStream.Publish(new HealthChanged(new DeviceId("dev-1"), "ok", "late", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), null));
            await Polling.Until(() => Task.FromResult(receiver.Accepted.Count == 1), Deadline, "the alert accepted");
        });

        Assert.Equal(["late"], receiver.Field("kind"));
    }

    public void Dispose()
    {
        foreach (var database in Directory.GetFiles(_directory, "*.db"))
            IoTSync.Persistence.SqlitePersistence.ClearPool(database);
        Directory.Delete(_directory, recursive: true);
    }
}
