using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace IoTSync.Mirror.Tokens;

/// <summary>
/// The name an API token is created, listed and revoked by (<c>ci-deploy</c>, <c>dashboard_1</c>):
/// the alphabet of a <see cref="Model.DeviceId"/>, for the same reasons (it is printed in tables and
/// log lines and typed on command lines). Unique among the tokens that are not revoked.
/// </summary>
public readonly partial record struct ApiTokenName
{
    /// <summary>The rule, for messages.</summary>
    public const string Rule = "1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit";

    public string Value { get; }

    public ApiTokenName(string value)
    {
        if (!IsValid(value))
            throw new ArgumentException($"Invalid token name '{value}': use {Rule}.", nameof(value));
        Value = value;
    }

    public static bool IsValid([NotNullWhen(true)] string? value) => value is not null && Pattern().IsMatch(value);

    /// <summary>The name, or false when <paramref name="value"/> breaks the <see cref="Rule"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out ApiTokenName name)
    {
        if (IsValid(value))
        {
            name = new ApiTokenName(value);
            return true;
        }
        name = default;
        return false;
    }

    /// <summary>Why <paramref name="value"/> is not a token name, or null when it is one.</summary>
    public static string? Problem(string? value) =>
        IsValid(value) ? null : value is null or "" ? $"no token name given: use {Rule}" : $"'{value}' is not a token name: use {Rule}";

    public override string ToString() => Value;

    // \z, not $: in .NET "$" also matches before a final newline, which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
