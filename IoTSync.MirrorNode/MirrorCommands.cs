using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using IoTSync.Cli;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Ssh;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Security;
using Spectre.Console;

namespace IoTSync.MirrorNode;

/// <summary>The mirror node's commands besides <c>journal</c>: run, enroll, exec, result, cancel, devices, state, windows, refusals, device, token, ca.</summary>
public static class MirrorCommands
{
    public static IEnumerable<Command> Create(string defaultConfigFile)
    {
        yield return Run(defaultConfigFile);
        yield return Enroll(defaultConfigFile);
        yield return ReverseEnrolment.AuthorizedKeys(defaultConfigFile);
        yield return Exec(defaultConfigFile);
        yield return Result(defaultConfigFile);
        yield return Cancel(defaultConfigFile);
        yield return Devices(defaultConfigFile);
        yield return State(defaultConfigFile);
        yield return Windows(defaultConfigFile);
        yield return Refusals(defaultConfigFile);
        yield return DeviceAdminCommands.Create(defaultConfigFile);
        yield return TokenCommands.Create(defaultConfigFile);
        yield return Ca(defaultConfigFile);
    }

    private static Command Ca(string defaultConfigFile)
    {
        var ca = new Command("ca", "The fleet CA that Akka.Remote's mutual TLS trusts.");
        var init = new Command("init", "Make the fleet CA (ECDSA P-256; key owner-only at iotsync.mirror.ca.key) and the mirror's certificate from it (iotsync.tls.certificate and key), valid for loopback, the outward address and the HTTP API's listen addresses. Refuses when any of the files exists.");
        var config = NodeCli.ConfigOption(init, defaultConfigFile);
        init.SetAction(parsed =>
        {
            var loaded = NodeCli.LoadConfig(parsed, config, defaultConfigFile);
            var settings = FleetCaSettings.FromConfig(loaded);
            // The names HTTPS clients reach the mirror by: loopback, the address devices see, the API's listen addresses.
            var addresses = new[] { "127.0.0.1", "::1", "localhost", MirrorNodeSettings.FromConfig(loaded).OutwardAddress }
                .Concat(MirrorApi.MirrorApiSettings.FromConfig(loaded).Listen.Where(e => !e.Address.Equals(System.Net.IPAddress.Any) && !e.Address.Equals(System.Net.IPAddress.IPv6Any))
                    .Select(e => e.Address.ToString()));
            settings.Initialise(MirrorNodeSettings.FromConfig(loaded).SystemName, DateTimeOffset.UtcNow, addresses);
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

    /// <summary>A client of the running node's HTTP API over the control socket the configuration names.</summary>
    internal static MirrorApiClient Api(ParseResult parsed, Option<string?> config, string defaultConfigFile) =>
        MirrorApiClient.ForSocket(MirrorNodeSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile)).ControlSocket);

    private static Option<string> DeviceOption(Command command)
    {
        var option = new Option<string>("--device") { Description = "The device id.", Required = true, HelpName = "ID" };
        command.Options.Add(option);
        return option;
    }

    private static Command Enroll(string defaultConfigFile)
    {
        var command = new Command("enroll", "Register a device with the running node (or replace its details), from flags or from the enrolment file 'iotsync-device init' wrote (--file). Direct mode (the mirror dials the device): its SSH endpoint and user, its host key (pinned), its heartbeat key; prints the authorized_keys line for the device's sync account. Reverse mode (the device dials the mirror host): its SSH public key instead; prints the line for the mirror host's sync account.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var file = new Option<string?>("--file") { Description = "The device's enrolment file (iotsync-device init writes DIR/enrol-ID.json): the device id, the mode, SSH details or key, heartbeat key and certificate request in one. --device, --heartbeat-key-file, --csr, --mode and --device-key-file are refused beside it; --ssh, --ssh-user and --host-key override what a direct one says.", HelpName = "FILE" };
        var device = new Option<string?>("--device") { Description = "The device id (required without --file).", HelpName = "ID" };
        var ssh = new Option<string?>("--ssh") { Description = "The device's SSH server, HOST:PORT (direct mode; required without --file).", HelpName = "HOST:PORT" };
        var user = new Option<string?>("--ssh-user") { Description = "The account the mirror logs in as (direct mode; required without --file).", HelpName = "USER" };
        var hostKey = new Option<string?>("--host-key") { Description = "The device's SSH host key fingerprint as 'ssh-keygen -lf' prints it (SHA256:...; direct mode; required without --file).", HelpName = "FINGERPRINT" };
        var heartbeatKey = new Option<string?>("--heartbeat-key-file") { Description = "The device's heartbeat key file (hex; iotsync-device init writes it) (required without --file).", HelpName = "FILE" };
        var from = new Option<string?>("--from") { Description = "The mirror's address as the device sees it, for from=\"...\" (direct mode; default: iotsync.mirror.enrolment.outward-address).", HelpName = "ADDRESS" };
        var deviceCommand = new Option<string?>("--device-command") { Description = "The forced command (direct mode; default: iotsync.mirror.enrolment.device-command).", HelpName = "COMMAND" };
        var csr = new Option<string?>("--csr") { Description = "The device's certificate request (iotsync-device init writes it): signed by the fleet CA for the device's TLS.", HelpName = "FILE" };
        var certificateOut = new Option<string?>("--certificate-out") { Description = "Where to write the device's certificate and the fleet CA's (device.crt, fleet-ca.crt) for the device; with --csr, or with --file when it holds a request.", HelpName = "DIR" };
        var json = NodeCli.JsonOption(command);
        foreach (var option in new Option[] { file, device, ssh, user, hostKey, heartbeatKey, from, deviceCommand, csr, certificateOut })
            command.Options.Add(option);
        var reverse = ReverseEnrolment.AddOptions(command);
        var inputs = new EnrolInput.Options(file, device, ssh, user, hostKey, heartbeatKey, csr, certificateOut, reverse.Mode, reverse.DeviceKeyFile);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var input = EnrolInput.Resolve(parsed, inputs);
            var isReverse = input.Mode == SessionMode.Reverse;
            if (isReverse && new Option[] { from, deviceCommand }.FirstOrDefault(o => parsed.GetResult(o) is { Implicit: false }) is { } directOnly)
                throw new ArgumentException($"{directOnly.Name} is for direct mode; a reverse device dials the mirror host");
            var id = input.Device;
            var issued = input.CertificateRequest is { } request
                ? FleetCaSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile))
                    .IssueDevice(request, new DeviceId(id), parsed.GetValue(certificateOut)!, DateTimeOffset.UtcNow)
                : ((string Certificate, string Ca, CertificatePin Pin)?)null;
            // The certificate just signed is the one the registry pins: no other the CA signs for the device is admitted.
            using var api = Api(parsed, config, defaultConfigFile);
            var pinned = issued?.Pin is { } pin ? new CertificatePinResource(pin.Sha256, pin.NotAfterUnixMs) : null;
            var enrolled = await api.Enrol(isReverse
                ? new EnrolRequest(id, null, 0, null, null, input.HeartbeatKey, pinned, Mode: "reverse", DeviceSshKey: input.DeviceSshKey)
                : new EnrolRequest(id, input.SshHost, input.SshPort, input.SshUser, input.HostKey, input.HeartbeatKey, pinned, parsed.GetValue(from), parsed.GetValue(deviceCommand)),
                cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
                NodeCli.WriteJson(output, new { enrolled.Device, enrolled.Mode, enrolled.Ssh, enrolled.HostKey, enrolled.AuthorizedKeys, certificate = issued?.Certificate, fleetCa = issued?.Ca, enrolled.CertificateSha256 });
            else
            {
                if (issued is { } written)
                    parsed.InvocationConfiguration.Error.WriteLine($"{Program.Name}: {id}'s certificate {written.Certificate} and the fleet CA {written.Ca}: install them on the device (iotsync.tls)");
                parsed.InvocationConfiguration.Error.WriteLine(isReverse
                    ? $"{Program.Name}: enrolled {id} in reverse mode; add this line to the authorized_keys of the mirror host's sync account (or run 'authorized-keys'):"
                    : $"{Program.Name}: enrolled {id}; add this line to the device's authorized_keys for {input.SshUser}:");
                output.WriteLine(enrolled.AuthorizedKeys);
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Exec(string defaultConfigFile)
    {
        var command = new Command("exec", "Leave a command for a device: recorded at the mirror, pending until the device's next window, where it runs (an argument vector, no shell) unless it expired or was cancelled first. " +
            "The command goes after '--': a word before it (a mistyped option) is refused and nothing is recorded. 'set KEY VALUE' and 'unset KEY' change a property of the device's state instead. " +
            ExitCodes.DeviceCommandHelp(mayBePending: true));
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var expiresIn = new Option<string?>("--expires-in") { Description = "The device may run it until this long from now (default: iotsync.mirror.command-expires-after), e.g. 10m.", HelpName = "DURATION" };
        var wait = new Option<string?>("--wait") { Description = "Wait this long for the result; print its output and exit with its exit code.", HelpName = "DURATION" };
        var json = NodeCli.JsonOption(command);
        command.Options.Add(expiresIn);
        command.Options.Add(wait);
        var argv = CommandWords.Add(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var expires = parsed.GetValue(expiresIn) is { } e ? NodeCli.ParseDuration(e, "--expires-in") : (TimeSpan?)null;
            var waitFor = parsed.GetValue(wait) is { } w ? NodeCli.ParseDuration(w, "--wait") : (TimeSpan?)null;
            var id = parsed.GetValue(device)!;
            using var api = Api(parsed, config, defaultConfigFile);
            var left = await api.Submit(id, new SubmitCommandRequest(CommandWords.Get(parsed, argv), ExpiresInMs: (long?)expires?.TotalMilliseconds), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            var error = parsed.InvocationConfiguration.Error;
            if (waitFor is null)
            {
                if (parsed.GetValue(json))
                    NodeCli.WriteJson(output, left);
                else
                    output.WriteLine($"mirror command {left.Sequence} left for {id} (pending until its next window; not after {NodeCli.Time(left.Command.NotAfterUnixMs)})");
                return ExitCodes.Ok;
            }
            return Report(await AwaitResolved(api, id, left.Sequence, waitFor.Value, cancellationToken), output, error, parsed.GetValue(json));
        });
        return command;
    }

    private static Command Result(string defaultConfigFile)
    {
        var command = new Command("result", "Where a mirror command stands (pending, delivered, or its result); with --wait, waits for the result. " + ExitCodes.DeviceCommandHelp(mayBePending: true));
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var sequence = new Argument<long>("seq") { Description = "The command's sequence number in the mirror log." };
        var wait = new Option<string?>("--wait") { Description = "Wait this long for the result.", HelpName = "DURATION" };
        var json = NodeCli.JsonOption(command);
        command.Arguments.Add(sequence);
        command.Options.Add(wait);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var id = parsed.GetValue(device)!;
            using var api = Api(parsed, config, defaultConfigFile);
            var status = parsed.GetValue(wait) is { } w
                ? await AwaitResolved(api, id, parsed.GetValue(sequence), NodeCli.ParseDuration(w, "--wait"), cancellationToken)
                : await api.Command(id, parsed.GetValue(sequence), cancel: cancellationToken);
            return Report(status, parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error, parsed.GetValue(json));
        });
        return command;
    }

    /// <summary>The node waits (each request at most its max-wait); asked again until <paramref name="wait"/> runs out.</summary>
    private static async Task<CommandResource> AwaitResolved(MirrorApiClient api, string device, long sequence, TimeSpan wait, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var remaining = wait - deadline.Elapsed;
            var status = await api.Command(device, sequence, Math.Max(0, (long)remaining.TotalMilliseconds), cancellationToken);
            if (status.Status is "resolved" or "applied" || deadline.Elapsed >= wait)
                return status;
        }
    }

    private static int Report(CommandResource status, TextWriter output, TextWriter error, bool json)
    {
        var result = status.Result is { } r ? Fields(r) : null;
        if (json)
            NodeCli.WriteJson(output, status);
        else if (result is not null)
            NodeCli.WriteResult(output, error, Program.Name, result);
        else
            error.WriteLine($"{Program.Name}: mirror command {status.Sequence} for {status.Device} is {status.Status}");
        return status.Status switch
        {
            "resolved" when result is not null => NodeCli.ExitCodeOf(result),
            "applied" => ExitCodes.Ok,
            _ => ExitCodes.NotResolved,
        };
    }

    private static ResultFields Fields(ResultResource result) =>
        new(Enum.Parse<CommandOutcome>(result.Outcome, ignoreCase: true), result.ExitCode, result.Output, result.Truncated, result.DurationMs);

    private static Command Cancel(string defaultConfigFile)
    {
        var command = new Command("cancel", "Record a cancellation for a pending mirror command; a device that gets it before running the command records it cancelled.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var device = DeviceOption(command);
        var sequence = new Argument<long>("seq") { Description = "The command's sequence number in the mirror log." };
        var json = NodeCli.JsonOption(command);
        command.Arguments.Add(sequence);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var id = parsed.GetValue(device)!;
            using var api = Api(parsed, config, defaultConfigFile);
            var status = await api.Cancel(id, parsed.GetValue(sequence), cancellationToken);
            if (parsed.GetValue(json))
                NodeCli.WriteJson(parsed.InvocationConfiguration.Output, status);
            else
                parsed.InvocationConfiguration.Output.WriteLine($"cancellation of mirror command {status.Sequence} recorded for {id}; the device records it cancelled unless it already ran it");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Devices(string defaultConfigFile)
    {
        var command = new Command("devices", "The enrolled devices: status (ok, dark, late, failing, never-seen, diverged, corrupt, mismatch, disabled), update numbers of both logs, delivered, open commands, state digest, last heartbeat and window, and for a device with a problem a line naming the entry or the reason.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var json = NodeCli.JsonOption(command);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            using var api = Api(parsed, config, defaultConfigFile);
            var fleet = await api.Devices(cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, fleet);
                return ExitCodes.Ok;
            }
            var console = NodeCli.TableConsole(output);
            var table = Terminal.Table(console);
            foreach (var column in new[] { "device", "status", "ssh", "device log", "mirror log", "delivered", "open", "digest", "last heartbeat", "last window" })
                table.AddColumn(column);
            foreach (var d in fleet.Devices)
                table.AddRow(new[] { d.Device, d.Status, d.Ssh, N(d.DeviceLogLength), N(d.MirrorLogLength), N(d.DeliveredThrough), N(d.OpenCommands), d.StateDigest[..12],
                    NodeCli.Time(d.LastHeartbeatUnixMs), d.LastWindow is { } w ? $"{w.Number}: {w.DurationMs} ms, {w.Outcome}" : "" }.Select(Markup.Escape).ToArray());
            console.Write(table);
            foreach (var d in fleet.Devices.Where(d => d.Problem is not null))
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
            using var api = Api(parsed, config, defaultConfigFile);
            var state = await api.State(parsed.GetValue(device)!, cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, state);
                return ExitCodes.Ok;
            }
            var console = NodeCli.TableConsole(output);
            var table = Terminal.Table(console).AddColumn("").AddColumn("");
            table.HideHeaders();
            table.AddRow("device", Markup.Escape(state.Device));
            table.AddRow("device log", Markup.Escape(Head(state.View.DeviceLog)));
            table.AddRow("mirror log", Markup.Escape(Head(state.View.MirrorLog)));
            table.AddRow("delivered through", N(state.DeliveredThrough));
            table.AddRow("state digest", Markup.Escape(state.View.StateDigest));
            if (state.Divergence is not null)
                table.AddRow("DIVERGED", Markup.Escape(state.Divergence));
            if (state.Corruption is not null)
                table.AddRow("CORRUPT", Markup.Escape(state.Corruption));
            if (state.Mismatch is not null)
                table.AddRow("MISMATCH", Markup.Escape(state.Mismatch));
            foreach (var property in state.Properties)
                table.AddRow(Markup.Escape($"property {property.Key}"), Markup.Escape(property.Value));
            foreach (var open in state.OpenCommands)
                table.AddRow("open command", Markup.Escape($"{open.Origin}:{open.Sequence} {string.Join(' ', open.Argv)}{(open.Cancelling ? " (cancelling)" : "")}"));
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Head(LogHeadResource log) => $"{log.Length}@{log.Head[..12]}";

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
            using var api = Api(parsed, config, defaultConfigFile);
            var reply = await api.Windows(parsed.GetValue(device)!, parsed.GetValue(last), cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, reply);
                return ExitCodes.Ok;
            }
            output.WriteLine($"{reply.Device}: {reply.TotalWindows} windows seen, cycle {reply.CyclePeriodMs / 1000.0:0.###} s");
            var console = NodeCli.TableConsole(output);
            var table = Terminal.Table(console);
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
            console.Write(table);
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
            using var api = Api(parsed, config, defaultConfigFile);
            var reply = await api.Refusals(cancellationToken);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json))
            {
                NodeCli.WriteJson(output, reply.Refusals);
                return ExitCodes.Ok;
            }
            if (reply.Refusals.Count == 0)
                output.WriteLine("nothing refused since the node started");
            foreach (var refusal in reply.Refusals)
                output.WriteLine($"{refusal.Key} {N(refusal.Value)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
