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

    public void Dispose() => _db.Dispose();
}
