using System.CommandLine;
using System.CommandLine.Parsing;

namespace IoTSync.Cli;

/// <summary>
/// The command an <c>exec</c> runs on a device, taken only after <c>--</c>: the node records it for good in a
/// hash-chained log, so a mistyped option (<c>--wiat 20s</c>) must never become part of it. Both CLIs'
/// <c>exec</c> use <see cref="Add"/> and <see cref="Get"/>.
/// </summary>
public static class CommandWords
{
    /// <summary>Adds the command's words, <c>-- COMMAND [ARGS...]</c>, to <paramref name="command"/>.</summary>
    public static Argument<string[]> Add(Command command)
    {
        var argv = new Argument<string[]>("command")
        {
            Description = "The command and its arguments, after -- (an argument vector, run without a shell).",
            Arity = ArgumentArity.OneOrMore,
        };
        command.Arguments.Add(argv);
        return argv;
    }

    /// <summary>
    /// The words after <c>--</c>; an <see cref="ArgumentException"/> (one line, exit 2, nothing sent) when there is
    /// no <c>--</c>, or a word before it that no option took (an unknown option, or a command's word without <c>--</c>).
    /// </summary>
    public static string[] Get(ParseResult parsed, Argument<string[]> argv)
    {
        var name = parsed.CommandResult.Command.Name;
        var tokens = parsed.Tokens;
        var dash = -1;
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i].Type == TokenType.DoubleDash)
            {
                dash = i;
                break;
            }
        var words = parsed.GetValue(argv) ?? [];
        var after = dash < 0 ? 0 : tokens.Count - dash - 1;
        var before = words.Take(words.Length - after).ToArray();
        if (before.FirstOrDefault(w => w.StartsWith('-')) is { } option)
            throw new ArgumentException($"{name}: unknown option '{option}' (the command goes after '--'); nothing was sent");
        if (dash < 0)
            throw new ArgumentException($"{name}: the command goes after '--', as in '{name} [options] -- {string.Join(' ', words)}'; nothing was sent");
        if (before.Length > 0)
            throw new ArgumentException($"{name}: unexpected '{before[0]}' before '--' (the command goes after it); nothing was sent");
        if (after == 0)
            throw new ArgumentException($"{name}: no command after '--'");
        return words[^after..];
    }
}
