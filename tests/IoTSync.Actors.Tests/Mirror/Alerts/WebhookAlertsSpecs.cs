using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using IoTSync.Mirror;
using IoTSync.Mirror.Alerts;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.Alerts.WebhookAlertsMessages;

namespace IoTSync.Tests.Mirror.Alerts;

/// <summary>
/// The webhook alerts through a real HTTP receiver on loopback: health changes published on the
/// EventStream, as the HealthWatch publishes them, arrive signed, in order, once, also after the
/// receiver was down; a receiver checking with another secret refuses them.
/// </summary>
public sealed class WebhookAlertsSpecs : TestKit
{
    private const long T0 = 1_700_000_000_000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly byte[] Secret = "the-webhook-secret-of-these-specs"u8.ToArray();
    private static readonly DeviceId One = new("dev-1");
    private static readonly DeviceId Two = new("dev-2");
    private readonly FakeWallClock _clock = new(T0);

    private static AlertSettings Settings(Uri url, byte[]? secret = null, ImmutableHashSet<string>? kinds = null, int queueSize = 100, TimeSpan? giveUpAfter = null) =>
        new([new WebhookSettings(url, secret ?? Secret, kinds ?? AlertKinds.Default)], TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(200),
            giveUpAfter ?? TimeSpan.FromHours(1), queueSize, TimeSpan.FromSeconds(5));

    /// <summary>The alerts actor, once it has started (and so subscribed to the health changes).</summary>
    private async Task<IActorRef> Alerts(AlertSettings settings)
    {
        var alerts = Sys.ActorOf(WebhookAlerts.Props(settings, _clock));
        await Status(alerts);
        return alerts;
    }

    private static Task<WebhookStatus> Status(IActorRef alerts) => alerts.Ask<WebhookStatus>(new GetWebhookStatus(0), TimeSpan.FromSeconds(5));

    private void Changed(DeviceId device, string from, string to) => Sys.EventStream.Publish(new HealthChanged(device, from, to, _clock.UtcNowMs, $"{from} to {to}"));

    /// <summary>A loopback port nothing listens on (a receiver that is down), free for a receiver to take later.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static Task Until(Func<bool> condition, string what) => Polling.Until(() => Task.FromResult(condition()), Deadline, what);

    private static Task Until(IActorRef alerts, Func<WebhookStatus, bool> condition, string what) =>
        Polling.Until(async () => condition(await Status(alerts)), Deadline, what);

    [Fact]
    public async Task Should_deliver_each_alert_signed_to_a_receiver_that_checks_the_signature()
    {
        await using var receiver = await WebhookReceiver.Start(Secret);
        var alerts = await Alerts(Settings(receiver.Url));

        Changed(One, "ok", "late");
        Changed(One, "late", "dark");
        await Until(() => receiver.Accepted.Count == 2, "both alerts accepted");

        Assert.Equal(["late", "recovered"], receiver.Field("kind"));
        Assert.Equal(["dev-1", "dev-1"], receiver.Field("device"));
        Assert.Equal(["ok", "late"], receiver.Field("from"));
        Assert.Equal(["late", "dark"], receiver.Field("to"));
        Assert.Equal(["ok to late", "late to dark"], receiver.Field("detail"));
        Assert.Equal([T0.ToString(), T0.ToString()], receiver.Field("at"));
        Assert.Equal(2, receiver.Field("id").Distinct().Count());
        Assert.Equal(0, receiver.Rejected);
        // The receiver has answered the second POST; the sender counts it once it has read that answer.
        await Until(alerts, s => s.Delivered == 2, "the second delivery counted");
        var status = await Status(alerts);
        Assert.Equal((2L, 0L, 0L, false), (status.Delivered, status.FailedAttempts, status.Dropped, status.Delivering));
    }

    [Fact]
    public async Task Should_be_refused_by_a_receiver_verifying_with_another_secret()
    {
        await using var receiver = await WebhookReceiver.Start("another-secret-entirely-000000"u8.ToArray());
        var alerts = await Alerts(Settings(receiver.Url));

        Changed(One, "ok", "late");
        await Until(() => receiver.Rejected >= 2, "the alert refused twice (tried again after the first refusal)");

        Assert.Empty(receiver.Accepted);
        var status = await Status(alerts);
        Assert.Equal(0, status.Delivered);
        Assert.True(status.Delivering);
        Assert.True(status.FailedAttempts >= 2);
    }

    [Fact]
    public async Task Should_deliver_once_and_in_order_after_a_receiver_that_was_down_comes_back()
    {
        var port = ClosedPort();
        var alerts = await Alerts(Settings(new Uri($"http://127.0.0.1:{port}/hook")));

        Changed(One, "ok", "late");
        Changed(Two, "ok", "failing");
        Changed(One, "late", "ok");
        await Until(alerts, s => s.FailedAttempts >= 3, "three attempts refused while the receiver is down");
        var down = await Status(alerts);
        Assert.Equal((0L, 2, true), (down.Delivered, down.Waiting, down.Delivering));

        await using var receiver = await WebhookReceiver.Start(Secret, port);
        await Until(() => receiver.Accepted.Count == 3, "the three alerts accepted once the receiver is back");
        // A later alert arriving after them shows nothing else was on its way: none came twice.
        Changed(Two, "failing", "dark");
        await Until(() => receiver.Accepted.Count >= 4, "the fourth alert accepted");

        Assert.Equal(["late", "failing", "recovered", "recovered"], receiver.Field("kind"));
        Assert.Equal(["dev-1", "dev-2", "dev-1", "dev-2"], receiver.Field("device"));
        Assert.Equal(4, receiver.Field("id").Distinct().Count());
        Assert.Equal(4, (await Status(alerts)).Delivered);
    }

    [Fact]
    public async Task Should_drop_the_oldest_waiting_alerts_when_the_queue_is_full_and_count_them()
    {
        var port = ClosedPort();
        var alerts = await Alerts(Settings(new Uri($"http://127.0.0.1:{port}/hook"), queueSize: 2));

        foreach (var n in Enumerable.Range(1, 5))
            Changed(new DeviceId($"dev-{n}"), "ok", "late");
        await Until(alerts, s => s.Dropped == 2, "two alerts dropped");
        Assert.Equal(2, (await Status(alerts)).Waiting);

        await using var receiver = await WebhookReceiver.Start(Secret, port);
        await Until(() => receiver.Accepted.Count == 3, "the alert in flight and the two newest accepted");

        Assert.Equal(["dev-1", "dev-4", "dev-5"], receiver.Field("device"));
        await Until(alerts, s => s.Delivered == 3 && !s.Delivering, "the queue drained");
    }

    [Fact]
    public async Task Should_give_an_alert_up_after_the_limit_and_go_on_with_the_next()
    {
        await using var receiver = await WebhookReceiver.Start(Secret);
        receiver.Answer = 503;
        var alerts = await Alerts(Settings(receiver.Url, giveUpAfter: TimeSpan.FromMinutes(10)));

        Changed(One, "ok", "late");
        await Until(() => receiver.Failed >= 1, "the first attempt answered 503");
        _clock.Advance((long)TimeSpan.FromMinutes(10).TotalMilliseconds);
        await Until(alerts, s => s.GivenUp == 1 && !s.Delivering, "the alert given up");
        receiver.Answer = 204;
        Changed(Two, "ok", "late");
        await Until(() => receiver.Accepted.Count == 1, "the next alert accepted");

        Assert.Equal(["dev-2"], receiver.Field("device"));
        var status = await Status(alerts);
        Assert.Equal((1L, 1L), (status.Delivered, status.GivenUp));
    }

    [Fact]
    public async Task Should_send_a_webhook_only_the_kinds_it_takes()
    {
        await using var receiver = await WebhookReceiver.Start(Secret);
        await Alerts(Settings(receiver.Url, kinds: ["late"]));

        Changed(One, "ok", "mismatch");
        Changed(Two, "ok", "failing");
        Changed(Two, "failing", "ok");
        Changed(One, "mismatch", "late");
        Changed(One, "late", "ok");
        Changed(Two, "ok", "late");
        // In order, one at a time: once the last alert sent is in, any earlier one sent would be too.
        await Until(() => receiver.Accepted.Count >= 2, "the two late alerts accepted");

        Assert.Equal(["dev-1", "dev-2"], receiver.Field("device"));
        Assert.Equal(["late", "late"], receiver.Field("kind"));
    }

    [Fact]
    public async Task Should_send_every_webhook_its_own_kinds_under_one_id_per_change()
    {
        await using var all = await WebhookReceiver.Start(Secret);
        var otherSecret = "the-second-webhook-secret-0000"u8.ToArray();
        await using var lateOnly = await WebhookReceiver.Start(otherSecret);
        var settings = Settings(all.Url) with
        {
            Webhooks = [new WebhookSettings(all.Url, Secret, AlertKinds.All), new WebhookSettings(lateOnly.Url, otherSecret, ["late"])],
        };
        await Alerts(settings);

        Changed(One, "ok", "mismatch");
        Changed(One, "mismatch", "late");
        await Until(() => all.Accepted.Count == 2 && lateOnly.Accepted.Count == 1, "each receiver's alerts accepted");

        Assert.Equal(["mismatch", "late"], all.Field("kind"));
        Assert.Equal(["late"], lateOnly.Field("kind"));
        Assert.Equal(all.Field("id")[1], lateOnly.Field("id")[0]);
    }

    [Fact]
    public async Task Should_go_on_alerting_the_other_webhooks_while_one_hangs()
    {
        await using var hanging = await WebhookReceiver.Start(Secret);
        hanging.Hang = true;
        await using var working = await WebhookReceiver.Start(Secret);
        var alerts = await Alerts(Settings(working.Url) with
        {
            Webhooks = [new WebhookSettings(hanging.Url, Secret, AlertKinds.Default), new WebhookSettings(working.Url, Secret, AlertKinds.Default)],
        });

        Changed(One, "ok", "late");
        Changed(One, "late", "ok");
        await Until(() => working.Accepted.Count == 2 && hanging.Held == 1, "the working receiver has both alerts while the other holds the first");

        var stuck = await Status(alerts);
        Assert.Equal((true, 1, 1, 0L), (stuck.Delivering, stuck.Attempt, stuck.Waiting, stuck.Delivered));
    }
}
