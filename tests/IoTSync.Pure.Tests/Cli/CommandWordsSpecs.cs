using System.CommandLine;
using IoTSync.Cli;
using Xunit;

namespace IoTSync.Tests.Cli;

/// <summary>An exec's command only after <c>--</c> (<see cref="CommandWords"/>): a mistyped option never becomes part of a command recorded for good.</summary>
public sealed class CommandWordsSpecs
{
    [Theory]
    [InlineData(new[] { "--", "echo", "hi" }, new[] { "echo", "hi" })]
    [InlineData(new[] { "--wait", "20s", "--", "echo", "--wait" }, new[] { "echo", "--wait" })]
    [InlineData(new[] { "--", "sh", "-c", "echo -- x" }, new[] { "sh", "-c", "echo -- x" })]
    [InlineData(new[] { "--config", "x.hocon", "--", "--weird-program" }, new[] { "--weird-program" })]
    public void Should_take_the_words_after_the_double_dash(string[] args, string[] expected)
    {
        var (root, argv) = Exec();

        Assert.Equal(expected, CommandWords.Get(root.Parse(["exec", .. args]), argv));
    }

    [Theory]
    [InlineData(new[] { "--wiat", "20s", "--", "echo", "hi" }, "exec: unknown option '--wiat' (the command goes after '--'); nothing was sent")]
    [InlineData(new[] { "echo", "hi" }, "exec: the command goes after '--', as in 'exec [options] -- echo hi'; nothing was sent")]
    [InlineData(new[] { "--wiat", "20s", "echo", "hi" }, "exec: unknown option '--wiat' (the command goes after '--'); nothing was sent")]
    [InlineData(new[] { "echo", "--", "hi" }, "exec: unexpected 'echo' before '--' (the command goes after it); nothing was sent")]
    public void Should_refuse_a_command_without_the_double_dash_or_a_word_before_it(string[] args, string expected)
    {
        var (root, argv) = Exec();

        Assert.Equal(expected, Assert.Throws<ArgumentException>(() => CommandWords.Get(root.Parse(["exec", .. args]), argv)).Message);
    }

    private static (RootCommand Root, Argument<string[]> Argv) Exec()
    {
        var exec = new Command("exec");
        exec.Options.Add(new Option<string?>("--config"));
        exec.Options.Add(new Option<string?>("--wait"));
        var argv = CommandWords.Add(exec);
        var root = new RootCommand { exec };
        return (root, argv);
    }
}
