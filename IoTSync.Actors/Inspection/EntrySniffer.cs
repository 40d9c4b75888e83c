using System.Text.Json;
using IoTSync.Logs;

namespace IoTSync.Inspection;

/// <summary>
/// Recovers which log and which entry an <c>entry-appended</c> payload was, from bytes that no
/// longer decode. The codec writes the entry's sequence and origin first, so a tampered byte
/// further on usually leaves them readable; anything unreadable is simply not known.
/// </summary>
public static class EntrySniffer
{
    public static (Origin? Origin, long? Sequence) Sniff(ReadOnlySpan<byte> bytes)
    {
        Origin? origin = null;
        long? sequence = null;
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            // Depth 1 is the event object, depth 2 the entry inside it: {"entry":{"sequence":5,"origin":1,...}}.
            var inEntry = false;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                    inEntry = reader.ValueTextEquals("entry"u8);
                if (!inEntry || reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 2)
                    continue;
                var isSequence = reader.ValueTextEquals("sequence"u8);
                var isOrigin = reader.ValueTextEquals("origin"u8);
                if (!reader.Read())
                    break;
                if (isSequence && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var s) && s > 0)
                    sequence = s;
                if (isOrigin && reader.TokenType == JsonTokenType.Number && reader.TryGetByte(out var o) && Enum.IsDefined((Origin)o))
                    origin = (Origin)o;
                if (origin is not null && sequence is not null)
                    break;
            }
        }
        catch (JsonException)
        {
            // The damage: what was read before it stands.
        }
        return (origin, sequence);
    }
}
