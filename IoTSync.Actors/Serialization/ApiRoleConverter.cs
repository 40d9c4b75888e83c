using System.Text.Json;
using System.Text.Json.Serialization;
using IoTSync.Mirror.Tokens;

namespace IoTSync.Serialization;

/// <summary>API roles as their words (<c>read</c>, <c>operate</c>, <c>admin</c>): a stored role never depends on the enum's numbers.</summary>
internal sealed class ApiRoleConverter : JsonConverter<ApiRole>
{
    public override ApiRole Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && ApiRoles.TryParse(reader.GetString(), out var role) ? role : throw new JsonException("expected a role: " + ApiRoles.Choices);

    public override void Write(Utf8JsonWriter writer, ApiRole value, JsonSerializerOptions options) => writer.WriteStringValue(value.Word());
}
