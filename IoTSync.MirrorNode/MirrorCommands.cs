using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using IoTSync.Cli;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Security;
using Spectre.Console;

namespace IoTSync.MirrorNode;

/// <summary>The mirror node's commands besides <c>journal</c>: run, enroll, exec, result, cancel, devices, state, windows, device, ca.</summary>
public static class MirrorCommands
{
    public static IEnumerable<Command> Create(string defaultConfigFile)
    {
        yield return Run(defaultConfigFile);
        yield return Enroll(defaultConfigFile);
        yield return Exec(defaultConfigFile);
        yield return Result(defaultConfigFile);
        yield return Cancel(defaultConfigFile);
        yield return Devices(defaultConfigFile);
        yield return State(defaultConfigFile);
        yield return Windows(defaultConfigFile);
        yield return Refusals(defaultConfigFile);
        yield return DeviceAdminCommands.Create(defaultConfigFile);
        yield return Ca(defaultConfigFile);
    }

    private static Command Ca(string defaultConfigFile)
    {
        var ca = new Command("ca", "The fleet CA that Akka.Remote's mutual TLS trusts.");
        var init = new Command("init", "Make the fleet CA (ECDSA P-256; key owner-only at iotsync.mirror.ca.key) and the mirror's certificate from it (iotsync.tls.certificate and key). Refuses when any of the files exists.");
        var config = NodeCli.ConfigOption(init, defaultConfigFile);
        init.SetAction(parsed =>
        {
            var loaded = NodeCli.LoadConfig(parsed, config, defaultConfigFile);
            var settings = FleetCaSettings.FromConfig(loaded);
            settings.Initialise(MirrorNodeSettings.FromConfig(loaded).SystemName, DateTimeOffset.UtcNow);
            var output = parsed.InvocationConfiguration.Output;
            output.WriteLine($"fleet CA {settings.CaCertificate} (key {settings.CaKey}, owner-only)");
            output.WriteLine($"mirror certificate {settings.MirrorCertificate} (key {settings.MirrorKey}, owner-only)");
            return ExitCodes.Ok;
        });
        ca.Subcommands.Add(init);
        ca.Subcommands.Add(CaSign(defaultConfigFile));
        return ca;
    }

    private static Command CaSign(string defaultConfigFile)
    {
        var sign = new Command("sign", "Sign a device's certificate request with the fleet CA (what enroll --csr does, without the running node): writes device.crt and fleet-ca.crt for the device.");
        var config = NodeCli.ConfigOption(sign, defaultConfigFile);
        var device = DeviceOption(sign);
        var csr = new Option<string>("--csr") { Description = "The device's certificate request (iotsync-device init writes it).", Required = true, HelpName = "FILE" };
        var certificateOut = new Option<string>("--certificate-out") { Description = "Where to write device.crt and fleet-ca.crt.", Required = true, HelpName = "DIR" };
        sign.Options.Add(csr);
        sign.Options.Add(certificateOut);
        sign.SetAction(parsed =>
        {
            var id = parsed.GetValue(device)!;
            if (!DeviceId.IsValid(id))
                throw new ArgumentException($"--device: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
            var request = parsed.GetValue(csr)!;
            if (!File.Exists(request))
                throw new IOException($"--csr: {request} does not exist");
            var (certificate, fleetCa, _) = FleetCaSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile))
                .IssueDevice(File.ReadAllText(request), new DeviceId(id), parsed.GetValue(certificateOut)!, DateTimeOffset.UtcNow);
            parsed.InvocationConfiguration.Output.WriteLine($"{id}'s certificate {certificate} and the fleet CA {fleetCa}: install them on the device (iotsync.tls); not pinned (enroll --csr and device rotate --csr pin theirs)");
            return ExitCodes.Ok;
        });
        return sign;
    }

    private static Command Run(string defaultConfigFile)
    {
        var command = new Command("run", "Run the mirror node: heartbeat listener (Akka.Remote), one state journal per device, SSH sessions to devices in their windows, the device registry, and the control socket. Stops on SIGTERM or Ctrl-C.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        command.SetAction((parsed, cancellationToken) =>
            MirrorNodeHost.Run(NodeCli.LoadConfig(parsed, config, defaultConfigFile), parsed.InvocationConfiguration.Output, cancellationToken));
        return command;
    }

    /// <summary>The control socket the configuration names.</summary>
    internal static string Socket(ParseResult parsed, Option<string?> config, string defaultConfigFile) =>
        MirrorNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile)).ControlSocket;

    private static Option<string> DeviceOption(Command command)
    {
        var option = new Option<string>("--device") { Description = "The device id.", Required = true, HelpName = "ID" };
        command.Options.Add(option);
        return option;
    }

    private static Command Enroll(string defaultConfigFile)
    {
        var command = new Command("enroll", "Register a device with the running node (or replace its details): its SSH endpoint and user, its host key (pinned), its heartbeat key. Prints the exact authorized_keys line for the device.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var ssh = new Option<string>("--ssh") { Description = "The device's SSH server, HOST:PORT.", Required = true, HelpName = "HOST:PORT" };
        var user = new Option<string>("--ssh-user") { Description = "The account the mirror logs in as.", Required = true, HelpName = "USER" };
        var hostKey = new Option<string>("--host-key") { Description = "The device's SSH host key fingerprint as 'ssh-keygen -lf' prints it (SHA256:...).", Required = true, HelpName = "FINGERPRINT" };
        var heartbeatKey = new Option<string>("--heartbeat-key-file") { Description = "The device's heartbeat key file (hex; iotsync-device init writes it).", Required = true, HelpName = "FILE" };
        var from = new Option<string?>("--from") { Description = "The mirror's address as the device sees it, for from=\"...\" (default: iotsync.mirror.enrolment.outward-address).", HelpName = "ADDRESS" };
        var deviceCommand = new Option<string?>("--device-command") { Description = "The forced command (default: iotsync.mirror.enrolment.device-command).", HelpName = "COMMAND" };
        var csr = new Option<string?>("--csr") { Description = "The device's certificate request (iotsync-device init writes it): signed by the fleet CA for the device's TLS.", HelpName = "FILE" };
        var certificateOut = new Option<string?>("--certificate-out") { Description = "Where to write the device's certificate and the fleet CA's (device.crt, fleet-ca.crt) for the device; with --csr.", HelpName = "DIR" };
        var json = NodeCli.JsonOption(command);
        foreach (var option in new Option[] { ssh, user, hostKey, heartbeatKey, from, deviceCommand, csr, certificateOut })
            command.Options.Add(option);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            if (!Configuration.HostPort.TryParse(parsed.GetValue(ssh)!, out var host, out var port))
                throw new ArgumentException($"--ssh: '{parsed.GetValue(ssh)}' is not HOST:PORT");
            if (!HostKeyFingerprint.TryParse(parsed.GetValue(hostKey)!, out _, out string problem))
                throw new ArgumentException($"--host-key: {problem}");
            var id = parsed.GetValue(device)!;
            if (!DeviceId.IsValid(id))
                throw new ArgumentException($"--device: '{id}' is not a device id (1-64 of a-z, 0-9, '-', '_')");
            var keyFile = parsed.GetValue(heartbeatKey)!;
            if (!File.Exists(keyFile))
                throw new IOException($"--heartbeat-key-file: {keyFile} does not exist");
            if ((parsed.GetValue(csr) is null) != (parsed.GetValue(certificateOut) is null))
                throw new ArgumentException("--csr and --certificate-out go together");
            if (parsed.GetValue(csr) is { } requestFile && !File.Exists(requestFile))
                throw new IOException($"--csr: {requestFile} does not exist");
            var issued = parsed.GetValue(csr) is { } request
                ? FleetCaSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile))
                    .IssueDevice(File.ReadAllText(request), new DeviceId(id), parsed.GetValue(certificateOut)!, DateTimeOffset.UtcNow)
                : ((string Certificate, string Ca, CertificatePin Pin)?)null;
            // The certificate just signed is the one the registry pins: no other the CA signs for the device is admitted.
            var enrolled = new EnrolledDevice(new DeviceId(id), host, port, parsed.GetValue(user)!, parsed.GetValue(hostKey)!,
                File.ReadAllText(keyFile).Trim(), 0, Certificate: issued?.Pin);
            var reply = await MirrorControlClient.Request<EnrollReply>(Socket(parsed, config, defaultConfigFile),
                new EnrollRequest(enrolled, parsed.GetValue(from), parsed.GetValue(deviceCommand)), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
                NodeCli.WriteJson(output, new { device = reply.Device.Device.Value, ssh = $"{reply.Device.SshUser}@{reply.Device.SshHost}:{reply.Device.SshPort}", hostKey = reply.Device.HostKeyFingerprint, authorizedKeys = reply.AuthorizedKeysLine, certificate = issued?.Certificate, fleetCa = issued?.Ca, certificateSha256 = reply.Device.Certificate?.Sha256 });
            else
            {
                if (issued is { } written)
                    parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: {id}'s certificate {written.Certificate} and the fleet CA {written.Ca}: install them on the device (iotsync.tls)");
                parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: enrolled {id}; add this line to the device's authorized_keys for {reply.Device.SshUser}:");
                output.WriteLine(reply.AuthorizedKeysLine);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Exec(string defaultConfigFile)
    {
        var command = new Command("exec", "Leave a command for a device: recorded at the mirror, pending until the device's next window, where it runs (an argument vector, no shell) unless it expired or was cancelled first.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var expiresIn = new Option<string?>("--expires-in") { Description = "The device may run it until this long from now (default: iotsync.mirror.command-expires-after), e.g. 10m.", HelpName = "DURATION" };
        var wait = new Option<string?>("--wait") { Description = "Wait this long for the result; print its output and exit with its exit code.", HelpName = "DURATION" };
        var argv = new Argument<string[]>("argv") { Description = "The command and its arguments, after --.", Arity = ArgumentArity.OneOrMore };
        var json = NodeCli.JsonOption(command);
        command.Options.Add(expiresIn);
        command.Options.Add(wait);
        command.Arguments.Add(argv);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var expires = parsed.GetValue(expiresIn) is { } e ? NodeCli.ParseDuration(e, "--expires-in") : (TimeSpan?)null;
            var waitFor = parsed.GetValue(wait) is { } w ? NodeCli.ParseDuration(w, "--wait") : (TimeSpan?)null;
            var socket = Socket(parsed, config, defaultConfigFile);
            var id = parsed.GetValue(device)!;
            var reply = await MirrorControlClient.Request<SubmitReply>(socket,
                new SubmitRequest(id, [.. parsed.GetValue(argv)!], $"cli:{Environment.UserName}", (long?)expires?.TotalMilliseconds), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            if (waitFor is null)
            {
                if (parsed.GetValue(json))
                    NodeCli.WriteJson(output, new { device = id, sequence = reply.Entry.Sequence, notAfterUnixMs = reply.Entry.NotAfterUnixMs, hash = reply.Entry.Hash.ToString() });
                else
                    output.WriteLine($"mirror command {reply.Entry.Sequence} left for {id} (pending until its next window; not after {NodeCli.Time(reply.Entry.NotAfterUnixMs)})");
                return ExitCodes.Ok;
            }
            var status = await AwaitResolved(socket, id, reply.Entry.Sequence, waitFor.Value, cancellationToken);
            return Report(status, output, error, parsed.GetValue(json), id);
        });
        return command;
    }

    private static Command Result(string defaultConfigFile)
    {
        var command = new Command("result", "Where a mirror command stands (pending, delivered, or its result); with --wait, waits for the result.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var sequence = new Argument<long>("seq") { Description = "The command's sequence number in the mirror log." };
        var wait = new Option<string?>("--wait") { Description = "Wait this long for the result.", HelpName = "DURATION" };
        var json = NodeCli.JsonOption(command);
        command.Arguments.Add(sequence);
        command.Options.Add(wait);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var socket = Socket(parsed, config, defaultConfigFile);
            var id = parsed.GetValue(device)!;
            var status = parsed.GetValue(wait) is { } w
                ? await AwaitResolved(socket, id, parsed.GetValue(sequence), NodeCli.ParseDuration(w, "--wait"), cancellationToken)
                : await MirrorControlClient.Request<CommandStatusAnswer>(socket, new CommandStatusRequest(id, parsed.GetValue(sequence)), cancellationToken);
            return Report(status, parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error, parsed.GetValue(json), id);
        });
        return command;
    }

    private static async Task<CommandStatusAnswer> AwaitResolved(string socket, string device, long sequence, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = await MirrorControlClient.Request<CommandStatusAnswer>(socket, new CommandStatusRequest(device, sequence), cancellationToken);
            if (status.Status is CommandStatus.Resolved or CommandStatus.Applied or CommandStatus.Unknown || deadline.Elapsed >= wait)
                return status;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellationToken);
        }
    }

    private static int Report(CommandStatusAnswer status, TextWriter output, TextWriter error, bool json, string device)
    {
        var result = status.Result?.Result;
        if (json)
        {
            NodeCli.WriteJson(output, new
            {
                device,
                sequence = status.Sequence,
                status = status.Status.ToString().ToLowerInvariant(),
                outcome = result?.Outcome.ToString().ToLowerInvariant(),
                exitCode = result?.ExitCode,
                output = result?.Output,
                truncated = result?.Truncated,
                durationMs = result?.DurationMs,
            });
        }
        else if (result is not null)
            NodeCli.WriteResult(output, error, Program.Name, result);
        else
            error.WriteLine($"{Program.Name}: mirror command {status.Sequence} for {device} is {status.Status.ToString().ToLowerInvariant()}");
        return status.Status switch
        {
            CommandStatus.Resolved when result is not null => NodeCli.ExitCodeOf(result),
            CommandStatus.Applied => ExitCodes.Ok,
            CommandStatus.Unknown => ExitCodes.Error,
            _ => 3, // not resolved (yet)
        };
    }

    private static Command Cancel(string defaultConfigFile)
    {
        var command = new Command("cancel", "Record a cancellation for a pending mirror command; a device that gets it before running the command records it cancelled.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var sequence = new Argument<long>("seq") { Description = "The command's sequence number in the mirror log." };
        command.Arguments.Add(sequence);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var id = parsed.GetValue(device)!;
            var reply = await MirrorControlClient.Request<SubmitReply>(Socket(parsed, config, defaultConfigFile),
                new CancelRequest(id, parsed.GetValue(sequence), $"cli:{Environment.UserName}"), cancellationToken);
            parsed.InvocationConfiguration.Output.WriteLine($"cancellation of mirror command {parsed.GetValue(sequence)} recorded as mirror entry {reply.Entry.Sequence} for {id}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Devices(string defaultConfigFile)
    {
        var command = new Command("devices", "The enrolled devices: update numbers of both logs, delivered, open commands, state digest, last heartbeat and window, status (ok, dark, late, failing, never-seen, diverged, corrupt, mismatch, disabled), and for a corrupt or mismatched device a line naming the entry or the reason.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var fleet = await MirrorControlClient.Request<FleetReply>(Socket(parsed, config, defaultConfigFile), FleetRequest.Instance, cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, fleet.Devices);
                return ExitCodes.Ok;
            }
            var table = new Table();
            foreach (var column in new[] { "device", "status", "ssh", "device log", "mirror log", "delivered", "open", "digest", "last heartbeat", "last window" })
                table.AddColumn(column);
            foreach (var d in fleet.Devices)
                table.AddRow(new[] { d.Device, d.Status, d.SshEndpoint, N(d.DeviceLogLength), N(d.MirrorLogLength), N(d.DeliveredThrough), N(d.OpenCommands), d.StateDigest,
                    NodeCli.Time(d.LastHeartbeatUnixMs), d.LastWindow }.Select(Markup.Escape).ToArray());
            NodeCli.TableConsole(output).Write(table);
            foreach (var d in fleet.Devices.Where(d => d.Status is "corrupt" or "mismatch" && d.Problem is not null))
                output.WriteLine($"{d.Device} {d.Status}: {d.Problem}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command State(string defaultConfigFile)
    {
        var command = new Command("state", "One device's state as the mirror holds it: both logs, the state digest, properties, open commands.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var state = await MirrorControlClient.Request<DeviceStateReply>(Socket(parsed, config, defaultConfigFile), new DeviceStateRequest(parsed.GetValue(device)!), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, state);
                return ExitCodes.Ok;
            }
            var table = new Table().AddColumn("").AddColumn("");
            table.HideHeaders();
            table.AddRow("device", Markup.Escape(state.Device));
            table.AddRow("device log", Markup.Escape(state.View.DeviceLog.ToString()));
            table.AddRow("mirror log", Markup.Escape(state.View.MirrorLog.ToString()));
            table.AddRow("delivered through", N(state.DeliveredThrough));
            table.AddRow("state digest", Markup.Escape(state.View.StateDigest.ToString()));
            if (state.Divergence is not null)
                table.AddRow("DIVERGED", Markup.Escape(state.Divergence));
            if (state.Corruption is not null)
                table.AddRow("CORRUPT", Markup.Escape(state.Corruption));
            if (state.Mismatch is not null)
                table.AddRow("MISMATCH", Markup.Escape(state.Mismatch));
            foreach (var property in state.Properties)
                table.AddRow(Markup.Escape($"property {property.Name}"), Markup.Escape(property.Value));
            foreach (var open in state.OpenCommands)
                table.AddRow("open command", Markup.Escape(open));
            NodeCli.TableConsole(output).Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Windows(string defaultConfigFile)
    {
        var command = new Command("windows", "A device's recent windows as the mirror recorded them: the heartbeat that opened each, the device's own measurement (interface up to down, reported in its next heartbeat), and the session the mirror ran in it.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var last = new Option<int>("--last") { Description = "How many of the newest windows (at most 256 are kept in state; all are in the journal).", DefaultValueFactory = _ => 20 };
        var json = NodeCli.JsonOption(command);
        command.Options.Add(last);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var reply = await MirrorControlClient.Request<WindowsReply>(Socket(parsed, config, defaultConfigFile),
                new WindowsRequest(parsed.GetValue(device)!, parsed.GetValue(last)), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, reply);
                return ExitCodes.Ok;
            }
            output.WriteLine($"{reply.Device}: {reply.TotalWindows} windows seen, cycle {reply.CyclePeriodMs / 1000.0:0.###} s");
            var table = new Table();
            foreach (var column in new[] { "window", "heartbeat", "device: duration", "usable after", "outcome", "session", "pushed", "pulled", "session outcome" })
                table.AddColumn(column);
            foreach (var w in reply.Windows)
                table.AddRow(new[]
                {
                    w.Number?.ToString(CultureInfo.InvariantCulture) ?? "?", NodeCli.Time(w.HeartbeatAtUnixMs),
                    w.Device is { } d ? $"{d.DurationMs} ms" : "", w.Device is { } u ? $"{u.UsableAfterMs} ms" : "", w.Device?.Outcome ?? "",
                    w.Session is { } s ? $"{s.DurationMs} ms" : "", w.Session is { } p ? N(p.EntriesPushed) : "", w.Session is { } q ? N(q.EntriesPulled) : "",
                    w.Session?.Error ?? w.Session?.Outcome ?? "",
                }.Select(Markup.Escape).ToArray());
            NodeCli.TableConsole(output).Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Refusals(string defaultConfigFile)
    {
        var command = new Command("refusals", "The running node's refusal counters: how often it refused each kind of bad input (heartbeats, TLS peers, frames, batches, sessions, control requests) since it started. Zero counters are not shown.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var reply = await MirrorControlClient.Request<RefusalsReply>(Socket(parsed, config, defaultConfigFile), RefusalsRequest.Instance, cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, reply.Refusals.ToDictionary(r => r.Kind, r => r.Count));
                return ExitCodes.Ok;
            }
            if (reply.Refusals.IsEmpty)
                output.WriteLine("nothing refused since the node started");
            foreach (var refusal in reply.Refusals)
                output.WriteLine($"{refusal.Kind} {N(refusal.Count)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
