using System.Text.RegularExpressions;

namespace IoTSync.Model;

/// <summary>
/// Identity of one enrolled device. Restricted to a conservative alphabet because it ends up in
/// persistence ids, file names, actor names and SSH forced-command arguments.
/// </summary>
public readonly partial record struct DeviceId
{
    public string Value { get; }

    public DeviceId(string value)
    {
        if (!IsValid(value))
            throw new ArgumentException(
                $"Invalid device id '{value}': use 1-64 characters of a-z, 0-9, '-' or '_', starting with a letter or digit.",
                nameof(value));
        Value = value;
    }

    public static bool IsValid(string? value) => value is not null && Pattern().IsMatch(value);

    public override string ToString() => Value;

    // \z, not $: in .NET "$" also matches before a final newline, which would let "id\n" through.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
