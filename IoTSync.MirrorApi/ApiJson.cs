using System.Text.Json;
using System.Text.Json.Serialization;

namespace IoTSync.MirrorApi;

/// <summary>
/// The API's JSON, the same on both ends: camelCase names, words for every enumeration, nulls
/// written (a field is always there), durations as whole milliseconds in fields named <c>…Ms</c>.
/// </summary>
public static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower, allowIntegerValues: false));
        // A typo'd field is refused, not ignored: a misspelt notAfterUnixMs would otherwise silently fall back to the default.
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return options;
    }
}
