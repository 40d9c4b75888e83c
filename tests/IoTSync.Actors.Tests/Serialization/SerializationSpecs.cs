using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Testing.Serialization;
using Xunit;

namespace IoTSync.Tests.Serialization;

public sealed class SerializationSpecs : Akka.TestKit.Xunit2.TestKit
{
    private static readonly DeviceId Device = new("dev-s");

    public SerializationSpecs() : base(IoTSyncSystem.Essentials)
    {
    }

    /// <summary>One populated instance of every type the codec knows.</summary>
    public static IEnumerable<object> Samples() => MessageSamples.All();

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
