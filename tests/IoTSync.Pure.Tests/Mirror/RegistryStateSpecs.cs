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
}
