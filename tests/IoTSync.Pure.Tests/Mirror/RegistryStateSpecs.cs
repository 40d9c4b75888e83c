using IoTSync.Mirror;
using IoTSync.Model;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>The DeviceRegistry's decisions, without an actor system.</summary>
public sealed class RegistryStateSpecs
{
    private static EnrolledDevice Details(string id = "dev-r", int port = 2222) =>
        new(new DeviceId(id), "127.0.0.1", port, "iotsync", "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", new string('7', 64), 1_700_000_000_000);

    [Fact]
    public void Should_enrol_valid_details_with_one_event_and_answer_enrolled()
    {
        var (reply, events) = RegistryState.Empty.Decide(new Enrol(Details()));

        Assert.Equal(new Enrolled(Details().Listing), reply);
        Assert.Equal([new DeviceEnrolled(Details())], events.ToArray());
    }

    [Fact]
    public void Should_refuse_invalid_details_and_write_nothing()
    {
        var (reply, events) = RegistryState.Empty.Decide(new Enrol(Details(port: 0)));

        Assert.Contains("port", Assert.IsType<EnrolRefused>(reply).Reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_replace_a_devices_details_on_re_enrolment()
    {
        var state = RegistryState.Empty.Apply(new DeviceEnrolled(Details()));
        var (_, events) = state.Decide(new Enrol(Details(port: 2200)));

        state = state.Apply(Assert.Single(events));

        Assert.Equal(2200, Assert.Single(state.ById.Values).SshPort);
    }

    private static readonly DeviceId Dev = new("dev-r");
    private static readonly string NewKey = new('8', 64);
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    private static RegistryState Enrolled() => RegistryState.Empty.Apply(new DeviceEnrolled(Details()));

    private static RegistryState Fold(RegistryState state, IEnumerable<IoTSync.Serialization.IIoTSyncMessage> events) =>
        events.Aggregate(state, (s, e) => s.Apply(e));

    [Fact]
    public void Should_disable_an_enrolled_device_with_one_event_and_refuse_an_unknown_one()
    {
        var (reply, events) = Enrolled().Decide(new Disable(Dev, 5));

        Assert.True(Assert.IsType<DeviceChanged>(reply).Device.Disabled);
        Assert.Equal([new DeviceDisabled(Dev, 5)], events.ToArray());
        Assert.True(Fold(Enrolled(), events).ById["dev-r"].Disabled);

        var (unknown, none) = Enrolled().Decide(new Disable(new DeviceId("dev-x"), 5));
        Assert.Contains("not enrolled", Assert.IsType<ChangeRefused>(unknown).Reason);
        Assert.Empty(none);
    }

    [Fact]
    public void Should_write_nothing_when_disabling_a_disabled_device_or_enabling_an_enabled_one()
    {
        var disabled = Enrolled().Apply(new DeviceDisabled(Dev, 5));

        Assert.Empty(disabled.Decide(new Disable(Dev, 6)).Events);
        Assert.Empty(Enrolled().Decide(new Enable(Dev, 6)).Events);
        var (reply, events) = disabled.Decide(new Enable(Dev, 7));
        Assert.False(Assert.IsType<DeviceChanged>(reply).Device.Disabled);
        Assert.False(Fold(disabled, events).ById["dev-r"].Disabled);
    }

    [Fact]
    public void Should_refuse_to_re_enrol_a_disabled_device()
    {
        var disabled = Enrolled().Apply(new DeviceDisabled(Dev, 5));

        var (reply, events) = disabled.Decide(new Enrol(Details(port: 2200)));

        Assert.Contains("disabled", Assert.IsType<EnrolRefused>(reply).Reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_not_take_a_disabled_flag_retired_keys_or_a_key_file_from_an_enrolment_request()
    {
        var (reply, _) = RegistryState.Empty.Decide(new Enrol(Details() with { Disabled = true, Retired = new RetiredCredentials(NewKey, 1), MirrorKeyFile = "/etc/shadow" }));

        Assert.Equal(Details().Listing, Assert.IsType<Enrolled>(reply).Device);
    }

    [Fact]
    public void Should_rotate_to_the_new_key_and_retire_the_old_one_at_the_rotation_time()
    {
        var (reply, events) = Enrolled().Decide(new Rotate(Dev, NewKey, 1_000, "/keys/mirror.dev-r.1000"));

        var device = Fold(Enrolled(), events).ById["dev-r"];
        Assert.Equal(device.Listing, Assert.IsType<DeviceChanged>(reply).Device);
        Assert.Equal(NewKey, device.HeartbeatKey);
        Assert.Equal("/keys/mirror.dev-r.1000", device.MirrorKeyFile);
        Assert.Equal(new RetiredCredentials(Details().HeartbeatKey, 1_000, ""), device.Retired);
    }

    [Theory]
    [InlineData("dev-x", "8888888888888888888888888888888888888888888888888888888888888888", "not enrolled")]
    [InlineData("dev-r", "abcd", "heartbeat key")]
    [InlineData("dev-r", "888888888888888888888888888888888888888888888888888888888888888", "heartbeat key")]
    [InlineData("dev-r", "7777777777777777777777777777777777777777777777777777777777777777", "current")]
    public void Should_refuse_a_rotation_and_write_nothing(string device, string key, string expected)
    {
        var (reply, events) = Enrolled().Decide(new Rotate(new DeviceId(device), key, 1_000));

        Assert.Contains(expected, Assert.IsType<ChangeRefused>(reply).Reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_refuse_to_rotate_a_disabled_device()
    {
        var (reply, events) = Enrolled().Apply(new DeviceDisabled(Dev, 5)).Decide(new Rotate(Dev, NewKey, 1_000));

        Assert.Contains("disabled", Assert.IsType<ChangeRefused>(reply).Reason);
        Assert.Empty(events);
    }

    [Theory]
    [InlineData(1_000, true)]
    [InlineData(600_999, true)]
    [InlineData(601_000, false)]
    [InlineData(10_000_000, false)]
    public void Should_honour_retired_credentials_only_until_the_overlap_ends(long now, bool honoured)
    {
        var retired = new RetiredCredentials(Details().HeartbeatKey, 1_000);

        Assert.Equal(honoured, retired.HonouredAt(now, Overlap));
        Assert.Equal(601_000, retired.RefusedFromUnixMs(Overlap));
    }

    [Fact]
    public void Should_forget_the_first_retired_key_when_rotating_twice()
    {
        var once = Fold(Enrolled(), Enrolled().Decide(new Rotate(Dev, NewKey, 1_000)).Events);
        var twice = Fold(once, once.Decide(new Rotate(Dev, new string('9', 64), 2_000)).Events);

        Assert.Equal(new RetiredCredentials(NewKey, 2_000), twice.ById["dev-r"].Retired);
    }
}
