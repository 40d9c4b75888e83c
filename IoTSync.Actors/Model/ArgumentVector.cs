using System.Collections.Immutable;

namespace IoTSync.Model;

/// <summary>
/// What every command's argument vector must be, on both sides, before it is written to a log: a
/// program name and its arguments, each text that encodes to UTF-8 as it is. Invalid UTF-8 in a
/// command line is decoded to U+FFFD before the program sees it, so that mark is refused rather
/// than run as a different argument than the one typed.
/// </summary>
public static class ArgumentVector
{
    /// <summary>Why <paramref name="argv"/> cannot be a command, or null.</summary>
    public static string? Problem(ImmutableArray<string> argv)
    {
        if (argv.IsDefaultOrEmpty)
            return "a command is a non-empty argument vector";
        if (string.IsNullOrWhiteSpace(argv[0]))
            return "the program name is empty";
        for (var i = 0; i < argv.Length; i++)
        {
            var argument = argv[i];
            if (argument.Contains('\0'))
                return $"argument {i} contains a NUL character";
            if (argument.Contains('\uFFFD'))
                return $"argument {i} is not valid UTF-8 (it holds U+FFFD, the mark of bytes that were not)";
            for (var c = 0; c < argument.Length; c++)
            {
                if (char.IsHighSurrogate(argument[c]) && c + 1 < argument.Length && char.IsLowSurrogate(argument[c + 1]))
                    c++;
                else if (char.IsSurrogate(argument[c]))
                    return $"argument {i} is not valid Unicode (an unpaired surrogate)";
            }
        }
        return null;
    }
}
