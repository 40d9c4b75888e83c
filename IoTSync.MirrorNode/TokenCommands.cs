using System.CommandLine;
using IoTSync.Cli;
using IoTSync.MirrorApi.Resources;
using Spectre.Console;

namespace IoTSync.MirrorNode;

/// <summary><c>token create|list|revoke</c>: the bearer tokens applications reach the HTTP API on TCP with.</summary>
public static class TokenCommands
{
    public static Command Create(string defaultConfigFile)
    {
        var command = new Command("token", "The bearer tokens applications use on the HTTP API over TCP: roles read, operate (read, submit and cancel commands) and admin (operate, enrol, disable, rotate, tokens).");
        command.Subcommands.Add(Make(defaultConfigFile));
        command.Subcommands.Add(List(defaultConfigFile));
        command.Subcommands.Add(Revoke(defaultConfigFile));
        return command;
    }

    private static Command Make(string defaultConfigFile)
    {
        var command = new Command("create", "Make a token and print it, once, as the only line on stdout; the mirror keeps only its hash.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var name = new Option<string>("--name") { Description = "Its name: 1-64 of a-z, 0-9, '-', '_' (unique among live tokens).", Required = true, HelpName = "NAME" };
        var role = new Option<string>("--role") { Description = "read, operate or admin.", Required = true, HelpName = "ROLE" };
        var validFor = new Option<string?>("--valid-for") { Description = "Honoured for this long from now, e.g. 90d (default: until revoked).", HelpName = "DURATION" };
        var json = NodeCli.JsonOption(command);
        command.Options.Add(name);
        command.Options.Add(role);
        command.Options.Add(validFor);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var valid = parsed.GetValue(validFor) is { } v ? NodeCli.ParseDuration(v, "--valid-for") : (TimeSpan?)null;
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var issued = await api.CreateToken(new CreateTokenRequest(parsed.GetValue(name), parsed.GetValue(role), (long?)valid?.TotalMilliseconds), cancellationToken);
            if (parsed.GetValue(json))
                NodeCli.WriteJson(parsed.InvocationConfiguration.Output, issued);
            else
            {
                parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: token {issued.Token.Name} ({issued.Token.Role}{(issued.Token.ExpiresAtUnixMs is { } at ? $", until {NodeCli.Time(at)}" : "")}); it is shown only now:");
                parsed.InvocationConfiguration.Output.WriteLine(issued.Bearer);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(string defaultConfigFile)
    {
        var command = new Command("list", "Every token made, revoked ones included: name, role, status (live, expired, revoked), when made, until when. Never a token's text.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var tokens = await api.Tokens(cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, tokens);
                return ExitCodes.Ok;
            }
            var table = new Table();
            foreach (var column in new[] { "name", "role", "status", "created", "expires", "revoked" })
                table.AddColumn(column);
            foreach (var t in tokens.Tokens)
                table.AddRow(new[] { t.Name, t.Role, t.Status, NodeCli.Time(t.CreatedAtUnixMs), t.ExpiresAtUnixMs is { } e ? NodeCli.Time(e) : "",
                    t.RevokedAtUnixMs is { } r ? NodeCli.Time(r) : "" }.Select(Markup.Escape).ToArray());
            NodeCli.TableConsole(output).Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(string defaultConfigFile)
    {
        var command = new Command("revoke", "Stop honouring a token at once.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var name = new Argument<string>("name") { Description = "The token's name." };
        var json = NodeCli.JsonOption(command);
        command.Arguments.Add(name);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = MirrorCommands.Api(parsed, config, defaultConfigFile);
            var revoked = await api.RevokeToken(parsed.GetValue(name)!, cancellationToken);
            if (parsed.GetValue(json))
                NodeCli.WriteJson(parsed.InvocationConfiguration.Output, revoked);
            else
                parsed.InvocationConfiguration.Output.WriteLine($"token {revoked.Name} is revoked");
            return ExitCodes.Ok;
        });
        return command;
    }
}
