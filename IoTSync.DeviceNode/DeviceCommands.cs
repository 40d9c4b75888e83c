using System.CommandLine;
using System.Security.Cryptography;
using System.Text;
using IoTSync.Cli;
using IoTSync.Configuration;
using IoTSync.Device;
using Spectre.Console;

namespace IoTSync.DeviceNode;

/// <summary>The device node's commands besides <c>journal</c>: run, exec, sync-endpoint, status, init, tls.</summary>
public static class DeviceCommands
{
    public static IEnumerable<Command> Create(string defaultConfigFile)
    {
        yield return Run(defaultConfigFile);
        yield return Exec(defaultConfigFile);
        yield return SyncEndpoint(defaultConfigFile);
        yield return Status(defaultConfigFile);
        yield return Init(defaultConfigFile);
        yield return TlsCommands.Create(defaultConfigFile);
    }

    private static Command Run(string defaultConfigFile)
    {
        var command = new Command("run", "Run the device node: the cycle (interface down, a window per period), heartbeats to the mirror, the device log, and the control socket. Stops on SIGTERM or Ctrl-C.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        command.SetAction((parsed, cancellationToken) =>
            DeviceNodeHost.Run(NodeCli.LoadConfig(parsed, config, defaultConfigFile), parsed.InvocationConfiguration.Output, cancellationToken));
        return command;
    }

    private static Command Exec(string defaultConfigFile)
    {
        var command = new Command("exec",
            "Run a command on this device through the running node (an argument vector, no shell, only programs on the device's allow list), " +
            "recorded with its result in the device log; prints its output and exits with its exit code. The command goes after '--': " +
            "a word before it (a mistyped option) is refused and nothing is recorded. 'set KEY VALUE' and 'unset KEY' change a property " +
            "of the device's state instead (recorded, nothing run). " + ExitCodes.DeviceCommandHelp(mayBePending: false));
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var argv = CommandWords.Add(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var words = CommandWords.Get(parsed, argv);
            var settings = DeviceNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile));
            var reply = await ControlSocketClient.Exec(settings.ControlSocket, words, $"cli:{Environment.UserName}", cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            if (reply.Result?.Result is not { } result)
            {
                error.WriteLine($"{Program.Name}: recorded as device entry {reply.Command.Sequence}");
                return ExitCodes.Ok;
            }
            NodeCli.WriteResult(output, error, Program.Name, result);
            return NodeCli.ExitCodeOf(result);
        });
        return command;
    }

    private static Command SyncEndpoint(string defaultConfigFile)
    {
        var command = new Command("sync-endpoint", "What the mirror's SSH session runs (forced by authorized_keys): relays the sync exchange between stdin/stdout and the running node.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var socket = new Option<string?>("--socket") { Description = "The node's control socket (instead of the one --config names).", HelpName = "PATH" };
        command.Options.Add(socket);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            string path;
            TimeSpan limit;
            if (parsed.GetValue(socket) is { } given)
            {
                path = Path.GetFullPath(given);
                limit = TimeSpan.FromMinutes(1);
            }
            else
            {
                var settings = DeviceNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile));
                (path, limit) = (settings.ControlSocket, settings.Cycle.WindowLimit);
            }
            // sshd does not signal a forced command whose client vanished: the relay bounds itself.
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(limit);
            await using var stdin = Console.OpenStandardInput();
            await using var stdout = Console.OpenStandardOutput();
            await ControlSocketClient.RelaySync(path, stdin, stdout, bounded.Token);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Status(string defaultConfigFile)
    {
        var command = new Command("status",
            "The running node: its window (dark: the interface closed between windows; opening, calling the mirror, syncing), recent windows, " +
            "both logs' update numbers and the state digest, last sync, open commands, properties, and what it refused. " +
            "Plain ASCII when the output is not a terminal.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = DeviceNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile));
            var status = await ControlSocketClient.Status(settings.ControlSocket, cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, StatusDocument(status));
                return ExitCodes.Ok;
            }
            var console = NodeCli.TableConsole(output);
            var table = Terminal.Table(console).AddColumn("").AddColumn("");
            table.HideHeaders();
            table.AddRow("device", Markup.Escape(status.Device));
            table.AddRow("window", Markup.Escape($"{status.Cycle.Phase} (window {status.Cycle.Window}, every {status.Cycle.Period.TotalSeconds:0.###} s)"));
            if (status.Cycle.Recent.LastOrDefault() is { } last)
                table.AddRow("last window", Markup.Escape($"{last.Number}: {last.Duration.TotalMilliseconds:0.0} ms, {last.Outcome}"));
            if (status.JournalFault is { } fault)
                table.AddRow("journal", Markup.Escape(fault));
            table.AddRow("device log", Markup.Escape(status.View.DeviceLog.ToString()));
            table.AddRow("mirror log", Markup.Escape(status.View.MirrorLog.ToString()));
            table.AddRow("state digest", Markup.Escape(status.View.StateDigest.ToString()));
            table.AddRow("last sync", NodeCli.Time(status.LastSyncEndedUnixMs));
            table.AddRow("mirror", status.LastMirror is { } mirror
                ? Markup.Escape($"{mirror} answered last, at ") + NodeCli.Time(status.LastMirrorAnsweredUnixMs)
                : "none has answered yet");
            table.AddRow("open commands", status.OpenCommands.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var property in status.Properties)
                table.AddRow(Markup.Escape($"property {property.Name}"), Markup.Escape(property.Value));
            foreach (var refusal in status.Refusals)
                table.AddRow(Markup.Escape($"refused {refusal.Kind}"), refusal.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The status as scripts read it: durations as milliseconds (<c>…Ms</c>), never TimeSpan's "00:00:01.8000000".</summary>
    private static object StatusDocument(DeviceStatusReply status) => new
    {
        device = status.Device,
        cycle = new
        {
            phase = status.Cycle.Phase,
            window = status.Cycle.Window,
            periodMs = Ms(status.Cycle.Period),
            recent = status.Cycle.Recent.Select(w => new
            {
                number = w.Number,
                durationMs = Ms(w.Duration),
                usableAfterMs = Ms(w.UsableAfter),
                outcome = w.Outcome,
                answeredAfterMs = Ms(w.AnsweredAfter),
                sessionStartedAfterMs = Ms(w.SessionStartedAfter),
                sessionEndedAfterMs = Ms(w.SessionEndedAfter),
                closingAfterMs = Ms(w.ClosingAfter),
            }),
        },
        view = status.View,
        lastSyncEndedUnixMs = status.LastSyncEndedUnixMs,
        lastMirror = status.LastMirror,
        lastMirrorAnsweredUnixMs = status.LastMirrorAnsweredUnixMs,
        openCommands = status.OpenCommands,
        properties = status.Properties,
        refusals = status.Refusals,
        journalFault = status.JournalFault,
    };

    private static double Ms(TimeSpan duration) => Math.Round(duration.TotalMilliseconds, 1);

    private static double? Ms(TimeSpan? duration) => duration is { } d ? Ms(d) : null;

    private static Command Init(string defaultConfigFile)
    {
        var command = new Command("init", "Write a device configuration (device.hocon beside a copy of shared.hocon), a new heartbeat key, the device's TLS key with a certificate request, and the enrolment file (enrol-ID.json, owner-only) for the mirror's 'enroll --file', in a directory, with absolute paths, ready for 'run --config DIR/device.hocon'.");
        var id = new Option<string>("--id") { Description = "The device id (1-64 of a-z, 0-9, '-', '_').", Required = true };
        var mirror = new Option<string[]>("--mirror")
        {
            Description = "The mirror's heartbeat address, HOST:PORT; repeated for a fleet's mirror nodes, in the order the device calls them.",
            Required = true, HelpName = "HOST:PORT",
        };
        var dir = new Option<string>("--dir") { Description = "Where to write; created when missing. Default: the working directory.", HelpName = "DIR" };
        var network = new Option<string>("--network") { Description = "none, ip, command or nft (see device.hocon).", DefaultValueFactory = _ => "none" };
        var iface = new Option<string?>("--interface") { Description = "The interface for --network ip or nft.", HelpName = "NAME" };
        var period = new Option<string?>("--period") { Description = "The cycle period, e.g. 30s.", HelpName = "DURATION" };
        var windowLimit = new Option<string?>("--window-limit") { Description = "The longest a window may stay open, e.g. 10s.", HelpName = "DURATION" };
        var allow = new Option<string[]>("--allow") { Description = "Programs device commands may run (repeatable; '*' for any).", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing device.hocon (the heartbeat key is kept)." };
        foreach (var option in new Option[] { id, mirror, dir, network, iface, period, windowLimit, allow, force })
            command.Options.Add(option);
        var enrolment = new DeviceEnrolment(command);
        var reverse = ReverseInit.AddOptions(command);
        command.SetAction(parsed =>
        {
            var sessionMode = reverse.Check(parsed);
            var directory = Path.GetFullPath(parsed.GetValue(dir) ?? ".");
            var deviceId = parsed.GetValue(id)!;
            if (!Model.DeviceId.IsValid(deviceId))
                throw new ArgumentException($"'{deviceId}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
            var mirrors = parsed.GetValue(mirror) ?? [];
            if (mirrors.FirstOrDefault(m => !HostPort.TryParse(m, out _, out _)) is { } notHostPort)
                throw new ArgumentException($"--mirror: '{notHostPort}' is not HOST:PORT");
            var mode = parsed.GetValue(network)!;
            if (mode is not ("none" or "ip" or "command" or "nft"))
                throw new ArgumentException($"--network: '{mode}' is not one of none, ip, command, nft");
            if (mode is "ip" or "nft" && parsed.GetValue(iface) is null)
                throw new ArgumentException($"--network {mode} needs --interface");
            // A reverse device runs no sshd: its host key is nobody's business.
            var (hostKey, hostKeyNote) = sessionMode == Model.SessionMode.Direct ? enrolment.Check(parsed) : (null, null);
            var configFile = Path.Combine(directory, "device.hocon");
            if (File.Exists(configFile) && !parsed.GetValue(force))
                throw new IOException($"{configFile} exists; --force overwrites it");
            Directory.CreateDirectory(directory);
            var keyFile = Path.Combine(directory, "heartbeat.key");
            if (!File.Exists(keyFile))
                WriteOwnerOnly(keyFile, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
            // The device's TLS key is made here and never leaves the device; the mirror signs the request.
            var tlsKey = Path.Combine(directory, "device.key");
            var request = Path.Combine(directory, "device.csr");
            if (!File.Exists(tlsKey))
                File.WriteAllText(request, Security.DeviceCredentials.CreateKeyAndRequest(new Model.DeviceId(deviceId), tlsKey));
            var shipped = Path.GetDirectoryName(defaultConfigFile)!;
            File.Copy(Path.Combine(shipped, "shared.hocon"), Path.Combine(directory, "shared.hocon"), overwrite: true);
            var text = new StringBuilder(File.ReadAllText(Path.Combine(shipped, "device.hocon")));
            text.AppendLine().AppendLine($"# Written by '{Program.Name} init' for this device; these override the defaults above.");
            Set(text, "The device's id as enrolled at the mirror.", "iotsync.device.id", Quote(deviceId));
            if (mirrors.Length == 1)
                Set(text, "The mirror's heartbeat address.", "iotsync.device.mirror.address", Quote(mirrors[0]));
            else
            {
                Set(text, "The mirror nodes' heartbeat addresses, in the order the device calls them.", "iotsync.device.mirror.addresses",
                    "[" + string.Join(", ", mirrors.Select(Quote)) + "]");
                Set(text, "Unset: addresses lists the mirrors.", "iotsync.device.mirror.address", Quote(""));
            }
            Set(text, "The heartbeat key (hex), made by init.", "iotsync.device.heartbeat-key-file", Quote(keyFile));
            Set(text, "The control socket.", "iotsync.device.control-socket", Quote(Path.Combine(directory, "run", "device.sock")));
            Set(text, "The device's TLS key, made by init.", "iotsync.tls.key", Quote(tlsKey));
            Set(text, "The device's certificate, from the mirror's enroll.", "iotsync.tls.certificate", Quote(Path.Combine(directory, "device.crt")));
            Set(text, "The fleet CA's certificate, from the mirror's enroll.", "iotsync.tls.ca-certificate", Quote(Path.Combine(directory, "fleet-ca.crt")));
            Set(text, "The device's SQLite journal.", "iotsync.persistence.database-path", Quote(Path.Combine(directory, "device.db")));
            Set(text, "Where device commands' runners record their outcomes.", "iotsync.device.commands.spool", Quote(Path.Combine(directory, "commands")));
            Set(text, "How the node reaches its interface.", "iotsync.device.network.mode", mode);
            if (parsed.GetValue(iface) is { } name)
                Set(text, "The interface for mode = ip and nft.", "iotsync.device.network.interface", Quote(name));
            if (parsed.GetValue(period) is { } p)
                Set(text, "The cycle period.", "iotsync.device.cycle.period", NodeCli.ParseDuration(p, "--period").TotalMilliseconds + "ms");
            if (parsed.GetValue(windowLimit) is { } w)
                Set(text, "The window limit.", "iotsync.device.cycle.window-limit", NodeCli.ParseDuration(w, "--window-limit").TotalMilliseconds + "ms");
            if (parsed.GetValue(allow) is { Length: > 0 } programs)
                Set(text, "Programs device commands may run.", "iotsync.device.commands.allow", "[" + string.Join(", ", programs.Select(Quote)) + "]");
            var devicePublicKey = reverse.Write(parsed, directory, text, Set, Quote);
            File.WriteAllText(configFile, text.ToString());
            // Read it back as the node will, so a bad value fails here and not at run.
            var written = IoTSyncSystem.LoadNodeConfig(configFile, ConfigReference.Device);
            DeviceNodeSettings.FromConfig(written);
            ReverseDialSettings.FromConfig(written);
            var enrolmentFile = enrolment.Write(parsed, directory, new Model.DeviceId(deviceId), hostKey, keyFile, request, devicePublicKey);
            var output = parsed.InvocationConfiguration.Output;
            output.WriteLine($"wrote {configFile}");
            output.WriteLine($"heartbeat key {keyFile} (give it to the mirror's enroll --heartbeat-key-file)");
            output.WriteLine($"certificate request {request} (give it to the mirror's enroll --csr; the key {tlsKey} stays here)");
            if (devicePublicKey is not null)
                output.WriteLine($"SSH public key {devicePublicKey} (in the enrolment file; or give it to the mirror's enroll --mode reverse --device-key-file; the key stays here)");
            output.WriteLine($"enrolment file {enrolmentFile} (owner-only: it holds the heartbeat key; move it to the mirror over scp for 'enroll --file', then delete it)");
            if (hostKeyNote is not null)
                parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: note: {hostKeyNote}");
            output.WriteLine($"start the node with: {Program.Name} run --config {configFile}");
            foreach (var warning in mirrors.Select(DeviceNodeSettings.MirrorNameWarningFor).OfType<string>())
                parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: warning: {warning}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Set(StringBuilder text, string comment, string key, string value) =>
        text.AppendLine($"# {comment}").AppendLine($"{key} = {value}");

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void WriteOwnerOnly(string path, string text)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the heartbeat key file needs Unix permissions");
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        file.Write(Encoding.ASCII.GetBytes(text));
    }
}
