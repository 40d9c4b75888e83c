using System.Text.Json;
using System.Text.Json.Serialization;
using IoTSync.Logs;

namespace IoTSync.Serialization;

/// <summary>Hashes as 64 hex digits.</summary>
internal sealed class Sha256HashConverter : JsonConverter<Sha256Hash>
{
    public override Sha256Hash Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Sha256Hash.TryParse(reader.GetString(), out var hash) ? hash : throw new JsonException("expected a 64-digit hex SHA-256 value");

    public override void Write(Utf8JsonWriter writer, Sha256Hash value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToHex());
}
