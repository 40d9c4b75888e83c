using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace IoTSync.Tests.Deploy;

/// <summary>
/// One shell block of a guide (docs/DEPLOY.md, the README's "by hand") meant to be run: its fence says where
/// (<c>```sh mirror</c>, <c>```sh device</c>, <c>```sh workstation</c>, or <c>```sh local</c> for both nodes on one machine), optionally for which way of
/// syncing only (<c>direct</c>, <c>reverse</c>) and which variable the reader is to note from its last
/// line of output (<c>prints=NAME</c>). Blocks fenced with a bare <c>sh</c> are examples, not steps.
/// </summary>
public sealed record GuideStep(int Line, string Machine, ImmutableHashSet<string> Modes, string? Prints, string Script)
{
    public static readonly ImmutableHashSet<string> Machines = ["mirror", "device", "workstation", "local"];
    public static readonly ImmutableHashSet<string> AllModes = ["direct", "reverse"];

    /// <summary>Whether a reader following <paramref name="mode"/> runs this step.</summary>
    public bool IsFor(string mode) => Modes.IsEmpty || Modes.Contains(mode);

    public override string ToString() => $"DEPLOY.md line {Line} ({Machine}{(Modes.IsEmpty ? "" : " " + string.Join(' ', Modes))}):\n{Script}";
}

/// <summary>The steps of a guide, in order (<see cref="GuideStep"/>); a fence word it does not know is an error, not a skip.</summary>
public static partial class GuideSteps
{
    public static IReadOnlyList<GuideStep> Parse(string markdown)
    {
        var steps = new List<GuideStep>();
        var lines = markdown.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
                continue;
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal); i++)
                body.Add(lines[i]);
            if (i == lines.Length)
                throw new FormatException($"line {start + 1}: a block that never ends");
            var words = fence.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length == 0)
                continue;
            var machine = words[0];
            if (!GuideStep.Machines.Contains(machine))
                throw new FormatException($"line {start + 1}: '{machine}' is not a machine ({string.Join(", ", GuideStep.Machines)})");
            string? prints = null;
            var modes = ImmutableHashSet.CreateBuilder<string>();
            foreach (var word in words.Skip(1))
            {
                if (word.StartsWith("prints=", StringComparison.Ordinal))
                    prints = word["prints=".Length..];
                else if (GuideStep.AllModes.Contains(word))
                    modes.Add(word);
                else
                    throw new FormatException($"line {start + 1}: '{word}' is neither a mode ({string.Join(", ", GuideStep.AllModes)}) nor prints=NAME");
            }
            steps.Add(new GuideStep(start + 1, machine, modes.ToImmutable(), prints, string.Join('\n', body)));
        }
        return steps;
    }

    [GeneratedRegex(@"^```sh((?: +[A-Za-z0-9_=-]+)*) *$")]
    private static partial Regex Fence();
}
