using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror;

public sealed class DeviceRegistrySpecs : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly SqliteTestDatabase _db = new();

    private static EnrolledDevice Details(string id = "dev-r", string fingerprint = "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ") =>
        new(new DeviceId(id), "127.0.0.1", 2222, "iotsync", fingerprint, new string('7', 64), 1_700_000_000_000);

    [Fact]
    public async Task Should_enrol_a_device_publish_its_key_and_keep_it_across_a_restart()
    {
        var cache = new DeviceKeyCache();
        var first = _db.Start();
        var registry = first.ActorOf(DeviceRegistry.Props(cache), "registry");

        await registry.Ask<Enrolled>(new Enrol(Details()), Timeout);
        Assert.Equal(32, cache.KeyOf(new DeviceId("dev-r"))!.Length);
        Assert.Null(cache.KeyOf(new DeviceId("dev-unknown")));
        await SqliteTestDatabase.Stop(first);

        var recoveredCache = new DeviceKeyCache();
        var again = _db.Start().ActorOf(DeviceRegistry.Props(recoveredCache), "registry");
        var devices = await again.Ask<Devices>(ListDevices.Instance, Timeout);

        Assert.Equal(Details().Listing, Assert.Single(devices.All));
        Assert.NotNull(recoveredCache.KeyOf(new DeviceId("dev-r")));
    }

    [Theory]
    [InlineData("SHA256:short", "fingerprint")]
    [InlineData("MD5:aa:bb", "fingerprint")]
    public async Task Should_refuse_malformed_details_and_enrol_nothing(string fingerprint, string expected)
    {
        var registry = _db.Start().ActorOf(DeviceRegistry.Props(new DeviceKeyCache()), "registry");

        var refused = await registry.Ask<EnrolRefused>(new Enrol(Details(fingerprint: fingerprint)), Timeout);

        Assert.Contains(expected, refused.Reason);
        Assert.Empty((await registry.Ask<Devices>(ListDevices.Instance, Timeout)).All);
    }

    [Fact]
    public void Should_name_each_bad_field()
    {
        Assert.Contains("port", DeviceRegistryMessages.RegistryState.Problem(Details() with { SshPort = 0 }));
        Assert.Contains("user", DeviceRegistryMessages.RegistryState.Problem(Details() with { SshUser = "root;rm" }));
        Assert.Contains("heartbeat key", DeviceRegistryMessages.RegistryState.Problem(Details() with { HeartbeatKey = "abcd" }));
        Assert.Contains("host", DeviceRegistryMessages.RegistryState.Problem(Details() with { SshHost = "a b" }));
        Assert.Null(DeviceRegistryMessages.RegistryState.Problem(Details()));
    }

    [Fact]
    public async Task Should_keep_a_disable_and_a_rotation_across_a_restart_and_publish_them_at_once()
    {
        var cache = new DeviceKeyCache(TimeSpan.FromMinutes(10));
        var first = _db.Start();
        var registry = first.ActorOf(DeviceRegistry.Props(cache), "registry");
        var dev = new DeviceId("dev-r");
        await registry.Ask<Enrolled>(new Enrol(Details()), Timeout);

        await registry.Ask<DeviceChanged>(new Rotate(dev, new string('8', 64), 1_000), Timeout);
        Assert.Equal(Convert.FromHexString(new string('8', 64)), cache.KeyOf(dev));
        Assert.True(cache.KeysAt(dev, 2_000).Retired!.Honoured);
        Assert.False(cache.KeysAt(dev, 601_000).Retired!.Honoured);
        await registry.Ask<DeviceChanged>(new Disable(dev, 3_000), Timeout);
        Assert.Equal(DeviceStanding.Disabled, cache.StandingOf(dev));
        Assert.False(cache.IsAdmitted(dev));
        Assert.Contains("disabled", (await registry.Ask<ChangeRefused>(new Rotate(dev, new string('9', 64), 4_000), Timeout)).Reason);
        await SqliteTestDatabase.Stop(first);

        var recovered = new DeviceKeyCache(TimeSpan.FromMinutes(10));
        var again = _db.Start().ActorOf(DeviceRegistry.Props(recovered), "registry");
        var device = Assert.Single((await again.Ask<Devices>(ListDevices.Instance, Timeout)).All);

        Assert.True(device.Disabled);
        Assert.Equal(DeviceStanding.Disabled, recovered.StandingOf(dev));
        await again.Ask<DeviceChanged>(new Enable(dev, 5_000), Timeout);
        Assert.True(recovered.IsAdmitted(dev));
        // The listing carries no key; the rotation's retired key survived the restart in the registry's state.
        var keys = recovered.KeysAt(dev, 6_000);
        Assert.Equal(Convert.FromHexString(new string('8', 64)), keys.Current);
        Assert.Equal(Convert.FromHexString(new string('7', 64)), keys.Retired!.Key);
        Assert.Equal(1_000, keys.Retired.RotatedAtUnixMs);
    }

    public void Dispose() => _db.Dispose();
}
