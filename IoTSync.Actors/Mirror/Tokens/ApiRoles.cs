using System.Diagnostics.CodeAnalysis;

namespace IoTSync.Mirror.Tokens;

/// <summary>The roles' words (<c>read</c>, <c>operate</c>, <c>admin</c>), parsed strictly, and what each allows.</summary>
public static class ApiRoles
{
    /// <summary>Every role, weakest first.</summary>
    public static IReadOnlyList<ApiRole> All { get; } = [ApiRole.Read, ApiRole.Operate, ApiRole.Admin];

    /// <summary>"read, operate or admin": for messages that list the choices.</summary>
    public const string Choices = "read, operate or admin";

    /// <summary>The role's word: <c>read</c>, <c>operate</c> or <c>admin</c>.</summary>
    public static string Word(this ApiRole role) => role switch
    {
        ApiRole.Read => "read",
        ApiRole.Operate => "operate",
        ApiRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not an API role"),
    };

    /// <summary>
    /// The role named by exactly its word (lower case, no spaces); false for anything else, numbers
    /// included, so that "2" or "Admin " is never taken for a role.
    /// </summary>
    public static bool TryParse([NotNullWhen(true)] string? word, out ApiRole role)
    {
        (var known, role) = word switch
        {
            "read" => (true, ApiRole.Read),
            "operate" => (true, ApiRole.Operate),
            "admin" => (true, ApiRole.Admin),
            _ => (false, default),
        };
        return known;
    }

    /// <summary>The role named by <paramref name="word"/>; a <see cref="FormatException"/> saying which words are roles otherwise.</summary>
    public static ApiRole Parse(string? word) =>
        TryParse(word, out var role) ? role : throw new FormatException(Problem(word));

    /// <summary>Why <paramref name="word"/> is not a role: the message <see cref="Parse"/> throws with.</summary>
    public static string Problem(string? word) =>
        word is null ? $"no role given: use {Choices}" : $"'{word}' is not a role: use {Choices}";

    /// <summary>True when a token with role <paramref name="held"/> may do what <paramref name="needed"/> may.</summary>
    public static bool Allows(this ApiRole held, ApiRole needed) =>
        Enum.IsDefined(held) && Enum.IsDefined(needed) && held >= needed;
}
