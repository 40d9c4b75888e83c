namespace IoTSync.MirrorApi.Resources;

/// <summary>Make a token: its name, its role (<c>read</c>, <c>operate</c>, <c>admin</c>), and optionally how long it is honoured.</summary>
public sealed record CreateTokenRequest(string? Name, string? Role, long? ValidForMs = null);

/// <summary>
/// A token as listed: never its text or hash. <see cref="Status"/> is <c>live</c>, <c>expired</c> or <c>revoked</c>.
/// </summary>
public sealed record TokenResource(string Name, string Role, string Status, long CreatedAtUnixMs, long? ExpiresAtUnixMs, long? RevokedAtUnixMs);

/// <summary>A token just made, with its text: the only time the text is ever shown (the mirror keeps its hash).</summary>
public sealed record IssuedTokenResource(TokenResource Token, string Bearer);

/// <summary>Every token ever made, revoked ones included, in the order they were made.</summary>
public sealed record TokenList(IReadOnlyList<TokenResource> Tokens);
