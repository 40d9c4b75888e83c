using IoTSync.Tests.Mirror.Alerts;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>Webhook alerts from the real mirror process to a receiver on loopback that checks their signature.</summary>
[Collection(NodeProcessLaneB.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class AlertSpecs
{
    [SkippableFact]
    public async Task Should_alert_a_webhook_when_a_device_falls_silent_and_when_it_calls_home_again()
    {
        var secret = "the-alert-process-spec-secret-000"u8.ToArray();
        await using var receiver = await WebhookReceiver.Start(secret);
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        var secretFile = Path.Combine(deployment.Directory, "mirror", "webhook.secret");
        await File.WriteAllBytesAsync(secretFile, secret);
        File.SetUnixFileMode(secretFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.AppendAllTextAsync(deployment.MirrorConfig, $$"""

            # A webhook on this spec's receiver, retried soon.
            iotsync.mirror.alerts { webhooks = [{ url = "{{receiver.Url}}", secret-file = "{{secretFile}}" }], retry { initial = 100ms, max = 1s } }

            """);
        await deployment.StartAll();
        await NodeRig.Poll("the device seen", async () =>
            (await deployment.MirrorJson("devices")).GetProperty("devices")[0].GetProperty("status").GetString() is "ok" or "dark" ? true : (bool?)null);

        deployment.Device!.Kill();
        await NodeRig.Poll("the late alert", () => Task.FromResult(receiver.Accepted.Count >= 1 ? true : (bool?)null));
        await deployment.StartDevice();
        await NodeRig.Poll("the recovery", () => Task.FromResult(receiver.Accepted.Count >= 2 ? true : (bool?)null));

        Assert.Equal(["late", "recovered"], receiver.Field("kind"));
        Assert.Equal([deployment.DeviceId, deployment.DeviceId], receiver.Field("device"));
        Assert.StartsWith("no heartbeat for ", receiver.Field("detail")[0]);
        Assert.Equal(0, receiver.Rejected);
        Assert.Contains($"[{deployment.DeviceId}] webhook http://127.0.0.1:{receiver.Port}/…: alert", deployment.Mirror!.Output);
    }
}
