using System.Security.Cryptography;
using System.Text.Json;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// What a webhook is POSTed, byte for byte, and how it is signed. Pure.
/// </summary>
/// <remarks>
/// The body is JSON: <c>{"id","kind","device","from","to","at","detail","sentAt"}</c>, <c>at</c> the change's
/// time and <c>sentAt</c> this attempt's (both unix ms). The signature header is
/// <c>sha256=</c> + the lower-case hex HMAC-SHA256 of the exact body bytes with the webhook's secret. The
/// timestamp is signed as part of the body (<c>sentAt</c>); the <see cref="TimestampHeader"/> repeats it
/// for receivers that reject stale deliveries before parsing, and is to be trusted only once the signature
/// checks and it equals the body's. A receiver drops repeats by <c>id</c> (also in <see cref="EventIdHeader"/>).
/// </remarks>
public static class AlertPayload
{
    public const string SignatureHeader = "X-IoTSync-Signature";
    public const string EventIdHeader = "X-IoTSync-Event-Id";
    public const string TimestampHeader = "X-IoTSync-Timestamp";

    /// <summary>The body for <paramref name="alert"/> sent at <paramref name="sentAtUnixMs"/>, as UTF-8 JSON.</summary>
    public static byte[] Body(Alert alert, long sentAtUnixMs)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", alert.Id);
            json.WriteString("kind", alert.Kind);
            json.WriteString("device", alert.Change.Device.Value);
            json.WriteString("from", alert.Change.From);
            json.WriteString("to", alert.Change.To);
            json.WriteNumber("at", alert.Change.AtUnixMs);
            if (alert.Change.Detail is { } detail)
                json.WriteString("detail", detail);
            else
                json.WriteNull("detail");
            json.WriteNumber("sentAt", sentAtUnixMs);
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="body"/>: <c>sha256=</c> and the hex HMAC-SHA256.</summary>
    public static string Signature(byte[] secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));
}
