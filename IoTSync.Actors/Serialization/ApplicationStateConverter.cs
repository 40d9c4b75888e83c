using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTSync.Model;

namespace IoTSync.Serialization;

/// <summary>
/// The model as plain arrays. Its sorted maps must come back with ordinal key order, which a
/// default deserializer would replace with the culture-sensitive comparer.
/// </summary>
internal sealed class ApplicationStateConverter : JsonConverter<ApplicationState>
{
    private sealed record Property(string Key, string? Value, WriteStamp Stamp);

    private sealed record Shape(
        ImmutableArray<Property> Properties,
        ImmutableArray<OpenCommand> OpenCommands,
        ImmutableArray<ResultSummary> EarlyResults,
        OutcomeCounters Counters,
        ResultSummary? LatestResult);

    public override ApplicationState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var shape = JsonSerializer.Deserialize<Shape>(ref reader, options) ?? throw new JsonException("null model state");
        var empty = ApplicationState.Empty;
        return empty with
        {
            Properties = empty.Properties.SetItems(shape.Properties.Select(p => KeyValuePair.Create(p.Key, new PropertyValue(p.Value, p.Stamp)))),
            OpenCommands = empty.OpenCommands.SetItems(shape.OpenCommands.Select(c => KeyValuePair.Create(c.Ref, c))),
            EarlyResults = empty.EarlyResults.SetItems(shape.EarlyResults.Select(r => KeyValuePair.Create(r.Command, r))),
            Counters = shape.Counters,
            LatestResult = shape.LatestResult,
        };
    }

    public override void Write(Utf8JsonWriter writer, ApplicationState value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, new Shape(
            [.. value.Properties.Select(p => new Property(p.Key, p.Value.Value, p.Value.Stamp))],
            [.. value.OpenCommands.Values],
            [.. value.EarlyResults.Values],
            value.Counters,
            value.LatestResult), options);
}
