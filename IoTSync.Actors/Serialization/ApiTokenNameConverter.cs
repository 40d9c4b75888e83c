using System.Text.Json;
using System.Text.Json.Serialization;
using IoTSync.Mirror.Tokens;

namespace IoTSync.Serialization;

/// <summary>API token names as plain strings, validated on the way in.</summary>
internal sealed class ApiTokenNameConverter : JsonConverter<ApiTokenName>
{
    public override ApiTokenName Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ApiTokenName.TryParse(reader.GetString(), out var name) ? name : throw new JsonException($"invalid token name '{reader.GetString()}'");

    public override void Write(Utf8JsonWriter writer, ApiTokenName value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
