using System.Text.Json;
using System.Text.Json.Serialization;
using IoTSync.Model;

namespace IoTSync.Serialization;

/// <summary>Device ids as plain strings, validated on the way in.</summary>
internal sealed class DeviceIdConverter : JsonConverter<DeviceId>
{
    public override DeviceId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        return DeviceId.IsValid(value) ? new DeviceId(value!) : throw new JsonException($"invalid device id '{value}'");
    }

    public override void Write(Utf8JsonWriter writer, DeviceId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
}
