using IoTSync.Logs;
using IoTSync.Serialization;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// What the <see cref="ApiTokenStore"/> stores. <c>Hash</c> on each links it to the events before it
/// (<see cref="ApiTokenChain"/>); the store writes it on every event, so one without it was edited.
/// </summary>
public static class ApiTokenEvents
{
    /// <summary>
    /// Journal event: a token was created with <see cref="Role"/>; <see cref="TokenSha256"/> is the SHA-256
    /// of its text (<see cref="BearerTokens.HashOf"/>), the text itself was printed once and is kept nowhere.
    /// <see cref="ExpiresAtUnixMs"/>: refused from then on; null: never expires.
    /// </summary>
    public sealed record TokenCreated(ApiTokenName Name, ApiRole Role, Sha256Hash TokenSha256, long CreatedAtUnixMs, long? ExpiresAtUnixMs = null,
        Sha256Hash? Hash = null) : IIoTSyncMessage;

    /// <summary>Journal event: the token named <see cref="Name"/> that was not revoked is refused from <see cref="AtUnixMs"/> on, for good.</summary>
    public sealed record TokenRevoked(ApiTokenName Name, long AtUnixMs, Sha256Hash? Hash = null) : IIoTSyncMessage;
}
