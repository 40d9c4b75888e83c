using System.CommandLine;
using IoTSync.Cli;
using IoTSync.Cli.Journal;
using IoTSync.Inspection;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>The journal command tree in process: help on every command, every usage error in one line.</summary>
public sealed class CommandLineSpecs
{
    private static readonly string[][] Commands =
        [[], ["journal"], ["journal", "list"], ["journal", "show"], ["journal", "verify"], ["journal", "export"], ["journal", "stats"]];

    private static async Task<CliRun> Run(NodeRole role, params string[] args)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        var root = new RootCommand("test node");
        root.Subcommands.Add(JournalCommands.Create(role, "/nonexistent/node.hocon", new CommandOutput(stdout, stderr, false, false)));
        var exitCode = await CommandLineHost.Run(root, "iotsync-test", args, stdout, stderr);
        return new CliRun([.. args], exitCode, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Should_answer_help_on_every_command_of_both_nodes()
    {
        foreach (var role in new[] { NodeRole.Device, NodeRole.Mirror })
            foreach (var command in Commands)
            {
                var run = await Run(role, [.. command, "--help"]);
                Assert.True(run.ExitCode == 0 && run.Stdout.Contains("Usage:") && run.Stderr.Length == 0, $"{string.Join(' ', command)}: {run}");
            }
    }

    [Theory]
    [InlineData("iotsync-test: choose a command: journal (see 'iotsync-test --help')")]
    [InlineData("iotsync-test: journal: choose a command: list, show, verify, export, stats (see 'iotsync-test journal --help')", "journal")]
    [InlineData("iotsync-test: journal: Unrecognized command or argument 'lst'. (see 'iotsync-test journal --help')", "journal", "lst")]
    [InlineData("iotsync-test: journal show: Required argument 'DEVICE' missing for command: 'show'. (see 'iotsync-test journal show --help')", "journal", "show")]
    [InlineData("iotsync-test: journal show: --from takes a whole number of 1 or more, not '0' (see 'iotsync-test journal show --help')", "journal", "show", "d", "--from", "0")]
    [InlineData("iotsync-test: journal show: --limit takes a whole number of 1 or more, not 'zero' (see 'iotsync-test journal show --help')", "journal", "show", "d", "--limit", "zero")]
    [InlineData("iotsync-test: journal export: Option '--out' is required. (see 'iotsync-test journal export --help')", "journal", "export", "d")]
    [InlineData("iotsync-test: give --db or --config, not both", "journal", "list", "--db", "a.db", "--config", "b.hocon")]
    [InlineData("iotsync-test: configuration file '/nonexistent/node.hocon' does not exist", "journal", "stats")]
    [InlineData("iotsync-test: --file verifies an export on its own: give it without --db or --config", "journal", "verify", "--file", "x.json", "--db", "a.db")]
    [InlineData("iotsync-test: 'Dev 1' is not a device id (1-64 of a-z, 0-9, '-', '_')", "journal", "verify", "Dev 1", "--file", "/nonexistent/x.json")]
    public async Task Should_print_every_usage_error_as_one_line_on_stderr_with_exit_code_2(string expected, params string[] args)
    {
        var run = await Run(NodeRole.Mirror, args);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(expected + Environment.NewLine, run.Stderr);
        Assert.Empty(run.Stdout);
    }
}
