using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using Xunit;

namespace IoTSync.Tests.Sync;

/// <summary>The device's end of a session, driven directly: it accepts nothing before a valid hello and nothing after done.</summary>
public sealed class DeviceExchangeSpecs
{
    private static async Task<(SyncRig Rig, DeviceExchange Endpoint, IReadOnlyList<object> Events)> Open()
    {
        var rig = await SyncRig.Create();
        rig.MirrorSide.Submit("echo", "m1");
        rig.MirrorSide.Set("mode", "turbo");
        await rig.DeviceSide.Set("fan", "on");
        return (rig, new DeviceExchange(rig.Device, rig.DeviceSide, rig.Settings), rig.DeviceJournal.Events);
    }

    private static Hello HelloFrom(SyncRig rig) =>
        new(rig.Device, "session-x", ExchangeMessage.ProtocolVersion, rig.MirrorSide.State.Logs.View);

    private static PushEntries PushOf(SyncRig rig) => new([.. rig.MirrorSide.MirrorLog]);

    private static async Task<ExchangeMessage> Send(DeviceExchange endpoint, ExchangeMessage request) =>
        InMemoryChannel.RoundTrip(await endpoint.Handle(InMemoryChannel.RoundTrip(request), default));

    [Fact]
    public async Task Should_refuse_a_push_before_hello_and_store_nothing()
    {
        var (rig, endpoint, events) = await Open();

        var answer = await Send(endpoint, PushOf(rig));

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.True(endpoint.IsClosed);
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
        // Closed for good: a hello now is refused too, and the push after it stores nothing.
        Assert.IsType<Refused>(await Send(endpoint, HelloFrom(rig)));
        Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(events, rig.DeviceJournal.Events);
    }

    [Theory]
    [InlineData("pull")]
    [InlineData("done")]
    [InlineData("push-accepted")]
    [InlineData("pulled")]
    public async Task Should_refuse_anything_but_hello_first(string what)
    {
        var (rig, endpoint, events) = await Open();
        var view = rig.MirrorSide.State.Logs.View;
        ExchangeMessage request = what switch
        {
            "pull" => new PullRequest(1, 10),
            "done" => new Done(view),
            "push-accepted" => new PushAccepted(view),
            _ => new PulledEntries([]),
        };

        var answer = await Send(endpoint, request);

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.True(endpoint.IsClosed);
        Assert.Equal(events, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_refuse_a_hello_for_another_device_and_store_nothing()
    {
        var (rig, endpoint, events) = await Open();

        var answer = await Send(endpoint, HelloFrom(rig) with { Device = new DeviceId("dev-2") });

        var refused = Assert.IsType<Refused>(answer);
        Assert.Equal(Verdict.Malformed, refused.Verdict);
        Assert.Contains("dev-2", refused.Detail);
        Assert.True(endpoint.IsClosed);
        Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ExchangeMessage.ProtocolVersion + 1)]
    public async Task Should_refuse_a_hello_of_another_protocol_version_and_store_nothing(int version)
    {
        var (rig, endpoint, events) = await Open();

        var answer = await Send(endpoint, HelloFrom(rig) with { Version = version });

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.True(endpoint.IsClosed);
        Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
    }

    [Fact]
    public async Task Should_refuse_a_second_hello_and_anything_after_it()
    {
        var (rig, endpoint, events) = await Open();
        Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));

        var answer = await Send(endpoint, HelloFrom(rig));

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(events, rig.DeviceJournal.Events);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 0)]
    [InlineData(-5, 10)]
    public async Task Should_refuse_a_pull_of_an_impossible_range(long from, int max)
    {
        var (rig, endpoint, events) = await Open();
        Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));

        var answer = await Send(endpoint, new PullRequest(from, max));

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.True(endpoint.IsClosed);
        Assert.Equal(events, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_refuse_everything_after_done()
    {
        var (rig, endpoint, events) = await Open();
        Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));
        Assert.IsType<Done>(await Send(endpoint, new Done(rig.MirrorSide.State.Logs.View)));
        Assert.True(endpoint.IsClosed);

        var answer = await Send(endpoint, PushOf(rig));

        Assert.Equal(Verdict.Malformed, Assert.IsType<Refused>(answer).Verdict);
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
    }

    [Fact]
    public async Task Should_answer_hello_with_its_own_view_and_serve_a_valid_session()
    {
        var (rig, endpoint, _) = await Open();

        var hello = Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));
        Assert.Equal(rig.Device, hello.Device);
        Assert.Equal("session-x", hello.SessionId);
        Assert.Equal(ExchangeMessage.ProtocolVersion, hello.Version);
        Assert.Equal(rig.DeviceSide.State.Logs.View, hello.View);

        var accepted = Assert.IsType<PushAccepted>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(rig.MirrorSide.State.Logs.MirrorLog, accepted.View.MirrorLog);
        Assert.Equal(2, accepted.View.DeviceLog.Length); // fan, and m1's result
        var pulled = Assert.IsType<PulledEntries>(await Send(endpoint, new PullRequest(1, 10)));
        Assert.Equal(rig.DeviceSide.DeviceLog.Hashes(), pulled.Entries.Hashes());
        Assert.Equal(1, rig.Runner.CountOf(["echo", "m1"]));
    }

    [Fact]
    public async Task Should_echo_a_refusal_from_the_mirror_and_close()
    {
        var (rig, endpoint, events) = await Open();
        Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));
        var refusal = new Refused(Verdict.Fork, 3, "mirror says no");

        var answer = await Send(endpoint, refusal);

        Assert.Equal(refusal, answer);
        Assert.True(endpoint.IsClosed);
        Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(events, rig.DeviceJournal.Events);
    }

    [Fact]
    public async Task Should_refuse_a_push_that_does_not_continue_the_replica_and_then_close()
    {
        var (rig, endpoint, events) = await Open();
        Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig)));
        var batch = PushOf(rig).Entries;

        var answer = await Send(endpoint, new PushEntries(batch.RemoveAt(0)));

        var refused = Assert.IsType<Refused>(answer);
        Assert.Equal(Verdict.Gap, refused.Verdict);
        Assert.Equal(1, refused.Sequence);
        Assert.True(endpoint.IsClosed);
        // Even a valid push is not taken after the refusal in this session.
        Assert.IsType<Refused>(await Send(endpoint, new PushEntries(batch)));
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
    }

    [Fact]
    public async Task Should_answer_a_hello_that_claims_a_shorter_mirror_log_with_its_view_and_then_refuse_everything()
    {
        var (rig, endpoint, _) = await Open();
        await rig.Converge();
        var events = rig.DeviceJournal.Events;
        var stale = rig.MirrorSide.State.Logs.View with { MirrorLog = LogPosition.Empty(rig.Device, Origin.Mirror) };

        var answer = await Send(endpoint, HelloFrom(rig) with { View = stale });

        // The mirror needs the device's view to see the contradiction and mark the device diverged.
        var hello = Assert.IsType<Hello>(answer);
        Assert.Equal(rig.DeviceSide.State.Logs.View, hello.View);
        Assert.True(endpoint.IsClosed);
        foreach (ExchangeMessage request in new ExchangeMessage[] { PushOf(rig), new PullRequest(1, 10), new Done(stale) })
        {
            var refused = Assert.IsType<Refused>(await Send(endpoint, request));
            Assert.Equal(Verdict.LogShrank, refused.Verdict);
        }
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Equal(1, rig.Runner.CountOf(["echo", "m1"]));
    }

    [Fact]
    public async Task Should_answer_a_hello_that_claims_more_of_the_device_log_than_was_written_with_its_view_and_then_refuse_everything()
    {
        var (rig, endpoint, events) = await Open();
        var d1 = rig.DeviceSide.DeviceLog[0];
        var phantom = LogEntry.NewCommand(new LogPosition(d1.Sequence, d1.Hash), Origin.Device, d1.Timestamp, InMemoryDeviceSide.Issuer, ["set", "x", "y"]);
        var claim = rig.MirrorSide.State.Logs.View with { DeviceLog = new LogPosition(phantom.Sequence, phantom.Hash) };

        var hello = Assert.IsType<Hello>(await Send(endpoint, HelloFrom(rig) with { View = claim }));

        Assert.Equal(1, hello.View.DeviceLog.Length);
        Assert.True(endpoint.IsClosed);
        var refused = Assert.IsType<Refused>(await Send(endpoint, PushOf(rig)));
        Assert.Equal(Verdict.Fork, refused.Verdict);
        Assert.Equal(events, rig.DeviceJournal.Events);
        Assert.Empty(rig.Runner.Calls);
    }
}
