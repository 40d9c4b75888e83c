using System.Collections.Immutable;
using System.Text;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// One webhook: where alerts are POSTed, the HMAC key they are signed with (read from its file at start,
/// never printed), and which alert kinds (<see cref="AlertKinds"/>) it is sent.
/// </summary>
public sealed record WebhookSettings(Uri Url, byte[] Secret, ImmutableHashSet<string> Kinds)
{
    /// <summary>
    /// The URL as logs show it: scheme, host and port, and <c>/…</c> for any path or query. User info, the path and
    /// the query may all hold a token (chat services put theirs in the path); the log line's source names the webhook by its index.
    /// </summary>
    public string Display => $"{Url.Scheme}://{Url.Authority}" + (Url.PathAndQuery is "/" or "" ? "" : "/…");

    // The secret stays out of ToString (and so out of any log line that prints the settings).
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Url = ").Append(Display).Append(", Kinds = [").AppendJoin(", ", Kinds.Order(StringComparer.Ordinal)).Append(']');
        return true;
    }
}
