using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Journal;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using Xunit;

namespace IoTSync.Tests.Serialization;

public sealed class SerializationSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DeviceId Device = new("dev-s");

    public SerializationSpecs() : base(IoTSyncSystem.Essentials)
    {
    }

    /// <summary>One populated instance of every type the codec knows.</summary>
    public static IEnumerable<object> Samples()
    {
        var mirrorLog = LogPosition.Empty(Device, Origin.Mirror);
        var deviceLog = LogPosition.Empty(Device, Origin.Device);
        var command = LogEntry.NewCommand(mirrorLog, Origin.Mirror, new HlcTimestamp(1_700_000_000_000, 3), "app", ["reboot", "--in", "5 s", "ünïcødé"], 1_700_000_100_000);
        var cancel = LogEntry.NewCancel(mirrorLog.After(command), new HlcTimestamp(1_700_000_000_001, 0), "app", 1);
        var result = LogEntry.NewResult(deviceLog, new HlcTimestamp(1_700_000_000_002, 0), "device", command.Ref,
            new ResultFields(CommandOutcome.Failed, 3, "out\nput", true, 42));
        var set = LogEntry.NewCommand(deviceLog.After(result), Origin.Device, new HlcTimestamp(1_700_000_000_003, 0), "device", ["set", "ı", "İ"]);
        var logs = LogPair.Empty(Device).Append(command, 1).Append(result, 2).Append(set, 3);
        var view = logs.View;
        var check = ChainCheck.Reject(Verdict.Fork, 2, "other head");
        var window = new WindowReport(41, 812, 95, "synced");

        yield return new EntryAppended(command);
        yield return new CommandRecorderEvents.CommandStarted(command.Ref);
        yield return new StateJournalEvents.DeliveryConfirmed(7);
        yield return new StateJournalEvents.DivergenceDetected(Origin.Device, Verdict.LogShrank, 3, "shorter", 1_700_000_000_000);
        yield return new CommandRecorderState(logs, [command.Ref]);
        var session = new StateJournalEvents.SessionRecorded("session-9", 1_700_000_030_100, 1_700_000_030_400, 300, 2, 1, view.StateDigest, "Converged", null);
        var failedSession = new StateJournalEvents.SessionRecorded("session-10", 1_700_000_060_100, 1_700_000_060_200, 100, 0, 0, null, StateJournalEvents.SessionRecorded.Failed, "host key mismatch");
        var heartbeatRecorded = new StateJournalEvents.HeartbeatRecorded(1_700_000_030_050, 30_000, window);
        yield return heartbeatRecorded;
        yield return session;
        var windows = WindowHistory.Empty.Apply(new StateJournalEvents.HeartbeatRecorded(1_700_000_000_050, 30_000, null))
            .Apply(heartbeatRecorded).Apply(session).Apply(failedSession);
        yield return new StateJournalState(logs, 1, new StateJournalEvents.DivergenceDetected(Origin.Mirror, Verdict.Fork, 1, "x", 5), windows);
        yield return new Hello(Device, "session-1", ExchangeMessage.ProtocolVersion, view);
        yield return new PushEntries([command, cancel]);
        yield return new PushAccepted(view);
        yield return new PullRequest(2, 100);
        yield return new PulledEntries([result, set]);
        yield return new Done(view);
        yield return Refused.From(check);
        yield return view;
        var enrolled = new EnrolledDevice(Device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43), new string('0', 64), 1_700_000_000_000);
        yield return new DeviceRegistryMessages.Enrol(enrolled);
        yield return new DeviceRegistryMessages.Enrolled(enrolled);
        yield return new DeviceRegistryMessages.EnrolRefused("bad fingerprint");
        yield return DeviceRegistryMessages.ListDevices.Instance;
        yield return new DeviceRegistryMessages.Devices([enrolled]);
        yield return new DeviceRegistryMessages.DeviceEnrolled(enrolled);
        yield return DeviceRegistryMessages.RegistryState.Empty.Apply(new DeviceRegistryMessages.DeviceEnrolled(enrolled));
        yield return new ExecRequest(["uname", "-a"], "operator");
        yield return new ExecReply(set, result);
        yield return SyncSessionRequest.Instance;
        yield return new ControlError("no");
        yield return DeviceStatusRequest.Instance;
        yield return new DeviceStatusReply(Device.Value, new NetworkTogglerMessages.CycleStatus("dark", 3, TimeSpan.FromSeconds(30),
            [new NetworkTogglerMessages.WindowClosed(3, TimeSpan.FromMilliseconds(41.5), TimeSpan.FromMilliseconds(2), "synced")]),
            view, 1_700_000_000_000, 1, [new NamedValue("ı", "İ")]);
        yield return new EnrollRequest(enrolled, "10.0.0.1", null);
        yield return new EnrollReply(enrolled, "restrict,from=\"10.0.0.1\",command=\"x\" ecdsa-sha2-nistp256 AAAA iotsync-mirror");
        yield return new SubmitRequest(Device.Value, ["uname", "-a"], "cli:root", 60_000);
        yield return new CancelRequest(Device.Value, 4, "cli:root");
        yield return new SubmitReply(cancel);
        yield return new CommandStatusRequest(Device.Value, 1);
        yield return new CommandStatusAnswer(1, CommandStatus.Resolved, command, result);
        yield return FleetRequest.Instance;
        yield return new FleetReply([new DeviceSummary(Device.Value, "root@127.0.0.1:22", "late", 3, 2, 2, 0, "abcd", 1_700_000_000_000, "4: 38 ms, synced")]);
        yield return new DeviceStateRequest(Device.Value);
        yield return new WindowsRequest(Device.Value, 20);
        yield return new WindowsReply(Device.Value, 4, 30_000, [new WindowRecord(4, 1_700_000_000_000, window, null)]);
        yield return new DeviceStateReply(Device.Value, view, 2, null, [new NamedValue("k", "v")], ["mirror:1 ls"]);
        yield return new Heartbeat(Device, logs.DeviceLog, logs.MirrorLog, view.StateDigest, 1_700_000_000_000, 30_000, window, new string('a', 32), new string('b', 64));
        yield return new HeartbeatAck(Device, HeartbeatAction.Sync, "session-9", logs.MirrorLog, 1_700_000_000_500, "", new string('a', 32), new string('c', 64));
        yield return LogHolderMessages.GetView.Instance;
        yield return LogHolderMessages.GetState.Instance;
        yield return new LogHolderMessages.ReadLog(Origin.Device, 1, 10);
        yield return new LogHolderMessages.LogRange([result]);
        yield return LogHolderMessages.AppendAnswer.Of(check, view);
        yield return new CommandRecorderMessages.RecordCommand(["ls", "-l"], "operator");
        yield return new CommandRecorderMessages.CommandCompleted(set, null);
        yield return new CommandRecorderMessages.AppendMirrorEntries([command]);
        yield return new StateJournalMessages.SubmitCommand(Device, ["ls"], "app", null);
        yield return new StateJournalMessages.CancelCommand(Device, 1, "app");
        yield return new StateJournalMessages.Submitted(cancel);
        yield return new StateJournalMessages.SubmitRefused("too big");
        yield return new StateJournalMessages.AppendDeviceEntries(Device, [result]);
        yield return new StateJournalMessages.ConfirmDelivery(Device, mirrorLog.After(command));
        yield return new StateJournalMessages.MarkDiverged(Device, Origin.Device, Verdict.Fork, 3, "fork");
        yield return StateJournalMessages.Acknowledged.Instance;
        yield return new StateJournalMessages.GetCommandStatus(Device, 1);
        yield return new StateJournalMessages.CommandStatusReply(1, CommandStatus.Resolved, command, result);
        yield return new StateJournalMessages.GetWindows(Device, 10);
        yield return new StateJournalMessages.WindowList(windows.WindowCount, windows.Recent);
        yield return new StateJournalMessages.RecordHeartbeat(Device, heartbeatRecorded);
        yield return new StateJournalMessages.RecordSession(Device, session);
        yield return new StateJournalMessages.GetSyncView(Device);
        yield return new StateJournalMessages.GetJournalState(Device);
        yield return new StateJournalMessages.ReadLogRange(Device, Origin.Mirror, 1, 10);
    }

    public static TheoryData<string> SampleNames() => [.. Samples().Select(s => s.GetType().FullName!)];

    private static object Sample(string typeName) => Samples().Single(s => s.GetType().FullName == typeName);

    [Fact]
    public void Should_register_every_wire_and_journal_type_and_have_a_sample_of_each()
    {
        var markers = typeof(IIoTSyncMessage).Assembly.GetTypes()
            .Where(t => typeof(IIoTSyncMessage).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false });
        Assert.Empty(markers.Except(IoTSyncCodec.RegisteredTypes));
        Assert.Empty(IoTSyncCodec.RegisteredTypes.Except(Samples().Select(s => s.GetType())));
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Should_round_trip_through_the_bound_serializer(string typeName)
    {
        var original = Sample(typeName);
        var serializer = Sys.Serialization.FindSerializerFor(original);
        Assert.IsType<IoTSyncSerializer>(serializer);

        var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, original);
        var bytes = serializer.ToBinary(original);
        var decoded = Sys.Serialization.Deserialize(bytes, serializer.Identifier, manifest);

        Assert.IsType(original.GetType(), decoded);
        Assert.Equal(bytes, serializer.ToBinary(decoded));
        Assert.DoesNotContain("$type", System.Text.Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Should_keep_hashes_valid_and_model_order_ordinal_after_a_round_trip_under_a_turkish_culture()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("tr-TR");
            var state = (CommandRecorderState)Sample(typeof(CommandRecorderState).FullName!);
            var model = state.Logs.Model.Apply(LogEntry.NewCommand(state.Logs.DeviceLog, Origin.Device, new HlcTimestamp(9, 0), "d", ["set", "I", "x"]));
            var decodedModel = IoTSyncCodec.Decode<CommandRecorderState>(IoTSyncCodec.Encode(state with { Logs = state.Logs with { Model = model } })).Logs.Model;

            Assert.Equal(model.Digest(), decodedModel.Digest());
            Assert.Equal(model.Properties.Keys, decodedModel.Properties.Keys);
            var pushed = IoTSyncCodec.Decode<PushEntries>(IoTSyncCodec.Encode(Sample(typeof(PushEntries).FullName!)));
            Assert.All(pushed.Entries, e => Assert.True(e.HasValidHash));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Should_decode_a_state_journal_snapshot_written_before_window_history_and_keep_a_recorded_history()
    {
        var withHistory = (StateJournalState)Sample(typeof(StateJournalState).FullName!);
        var json = System.Text.Json.Nodes.JsonNode.Parse(IoTSyncCodec.Encode(withHistory))!.AsObject();
        Assert.True(json.Remove("windows"), "the snapshot does not hold the window history under 'windows'");

        var older = IoTSyncCodec.Decode<StateJournalState>(System.Text.Encoding.UTF8.GetBytes(json.ToJsonString()));
        var decoded = IoTSyncCodec.Decode<StateJournalState>(IoTSyncCodec.Encode(withHistory));

        Assert.Null(older.Windows);
        Assert.Equal(0, older.History.WindowCount);
        Assert.Equal(withHistory.Logs.View, older.Logs.View);
        Assert.Equal(withHistory.History.Recent.ToArray(), decoded.History.Recent.ToArray());
        Assert.Equal((4, "Failed"), (decoded.History.WindowCount, decoded.History.LastSession!.Outcome));
    }

    [Theory]
    [InlineData("hello", "{not json")]
    [InlineData("hello", "{\"device\":\"NOT VALID\",\"sessionId\":\"s\",\"version\":1,\"view\":null}")]
    [InlineData("entry-appended", "{\"entry\":{\"sequence\":1,\"hash\":\"zz\"}}")]
    [InlineData("no-such-manifest", "{}")]
    public void Should_reject_malformed_bytes_with_a_clear_format_error(string manifest, string json)
    {
        var error = Assert.Throws<FormatException>(() => IoTSyncCodec.Decode(System.Text.Encoding.UTF8.GetBytes(json), manifest));
        Assert.Contains(manifest, error.Message);
    }
}
