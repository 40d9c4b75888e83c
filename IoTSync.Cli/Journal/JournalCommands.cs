using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using IoTSync.Inspection;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Persistence;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace IoTSync.Cli.Journal;

/// <summary>Where the commands write, and whether a person is watching (tables and progress) or a script.</summary>
public sealed record CommandOutput(TextWriter Out, TextWriter Error, bool OutIsTerminal, bool ErrorIsTerminal)
{
    public static CommandOutput Console() => new(System.Console.Out, System.Console.Error,
        !System.Console.IsOutputRedirected, !System.Console.IsErrorRedirected);
}

/// <summary>
/// <c>journal list | show | verify | export | stats</c>: the same command group on both nodes,
/// over the node's own journal. Each node's program adds it beside its other commands.
/// </summary>
public static class JournalCommands
{
    private static readonly JsonWriterOptions JsonLine = new() { Indented = false };

    /// <param name="role">Which node's journal the commands read.</param>
    /// <param name="defaultConfigFile">The node's configuration when <c>--config</c> is not given (its database path is read from it).</param>
    /// <param name="output">Where to write; the process's console when null.</param>
    /// <param name="clock">"Now" for stats; the system clock when null.</param>
    public static Command Create(NodeRole role, string defaultConfigFile, CommandOutput? output = null, Func<DateTimeOffset>? clock = null)
    {
        var io = output ?? CommandOutput.Console();
        var now = clock ?? (() => DateTimeOffset.UtcNow);
        var journal = new Command("journal",
            $"Inspect this node's journal: the {role.ActorName()} persistent actor{(role == NodeRole.Mirror ? " of every device" : "")}, read-only, safe beside a running node.");
        journal.Subcommands.Add(List(role, defaultConfigFile, io));
        journal.Subcommands.Add(Show(role, defaultConfigFile, io));
        journal.Subcommands.Add(Verify(role, defaultConfigFile, io));
        journal.Subcommands.Add(Export(role, defaultConfigFile, io, now));
        journal.Subcommands.Add(Stats(role, defaultConfigFile, io, now));
        return journal;
    }

    private sealed record DatabaseOptions(Option<string?> Db, Option<string?> Config);

    private static DatabaseOptions AddDatabaseOptions(Command command, string defaultConfigFile)
    {
        var db = new Option<string?>("--db") { Description = "The SQLite journal database to read (instead of the one --config names).", HelpName = "FILE" };
        var config = new Option<string?>("--config")
        {
            Description = $"The node's configuration; its iotsync.persistence section names the journal (database-path, or a mirror's PostgreSQL database). Default: {defaultConfigFile}",
            HelpName = "FILE",
        };
        command.Options.Add(db);
        command.Options.Add(config);
        return new DatabaseOptions(db, config);
    }

    private static Option<bool> AddJson(Command command, string description)
    {
        var json = new Option<bool>("--json") { Description = description };
        command.Options.Add(json);
        return json;
    }

    /// <summary>
    /// The journal to read: <c>--db</c> (a SQLite file), else the one the node's configuration names (environment
    /// overrides applied): its SQLite file or, for a mirror with <c>provider = postgresql</c>, its PostgreSQL database.
    /// </summary>
    private static IoTSyncPersistenceSettings Store(ParseResult parsed, DatabaseOptions options, NodeRole role, string defaultConfigFile)
    {
        var db = parsed.GetValue(options.Db);
        var config = parsed.GetValue(options.Config);
        if (db is not null && config is not null)
            throw new InspectionException("give --db or --config, not both");
        if (db is not null)
            return new IoTSyncPersistenceSettings(Path.GetFullPath(db));
        var nodeConfig = IoTSyncSystem.LoadNodeConfig(NodeCli.ChosenConfig(config, defaultConfigFile), Configuration.ConfigReference.ForShippedFile(defaultConfigFile));
        return role == NodeRole.Device ? IoTSyncPersistenceSettings.ForDevice(nodeConfig) : IoTSyncPersistenceSettings.FromConfig(nodeConfig);
    }

    private static async Task<T> WithInspector<T>(NodeRole role, IoTSyncPersistenceSettings store, Func<JournalInspector, Task<T>> use)
    {
        await using var journal = ReadOnlyJournal.Open(store);
        return await use(new JournalInspector(journal, role));
    }

    private static Func<string, IProgress<long>?> Progress(CommandOutput io, List<StderrProgress> shown) => label =>
    {
        var progress = new StderrProgress($"reading {label}", io.Error, io.ErrorIsTerminal);
        shown.Add(progress);
        return progress;
    };

    // ---- list

    private static Command List(NodeRole role, string defaultConfigFile, CommandOutput io)
    {
        var command = new Command("list",
            "The persistent actors this journal holds, one per device: each log's length and head hash, events, last write time, snapshot sequence number, and whether the device is marked diverged.");
        var db = AddDatabaseOptions(command, defaultConfigFile);
        var json = AddJson(command, "One JSON object instead of a table.");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var store = Store(parsed, db, role, defaultConfigFile);
            var path = store.Location;
            var reports = await WithInspector(role, store, async inspector =>
            {
                var all = new List<ActorReport>();
                foreach (var device in await inspector.Devices(cancellationToken))
                    all.Add(await inspector.Audit(device, cancellationToken: cancellationToken));
                return all;
            });
            if (parsed.GetValue(json))
                WriteListJson(io.Out, role, path, reports);
            else
                WriteListTable(io, role, path, reports);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteListTable(CommandOutput io, NodeRole role, string path, IReadOnlyList<ActorReport> reports)
    {
        var console = Terminal.Create(io.Out, io.OutIsTerminal);
        if (reports.Count == 0)
        {
            console.WriteLine($"{path} holds no {role.ActorName()} journal");
            return;
        }
        var table = NewTable(console, "device", "device log", "device head", "mirror log", "mirror head", "events", "last write (UTC)", "snapshot", "diverged");
        foreach (var r in reports)
        {
            var diverged = role == NodeRole.Device ? "-" : r.Divergence is null ? "no" : "YES: " + r.Divergence.Describe();
            AddRow(table, r.Device.Value, Number(r.DeviceLog.Length), r.DeviceLog.Seen.Head.Short, Number(r.MirrorLog.Length), r.MirrorLog.Seen.Head.Short,
                Number(r.Events), EntryFormat.Time(r.LastWrite), r.SnapshotSequenceNr is { } s ? Number(s) : "-", diverged);
        }
        console.Write(table);
    }

    private static void WriteListJson(TextWriter output, NodeRole role, string path, IReadOnlyList<ActorReport> reports)
    {
        WriteJson(output, json =>
        {
            json.WriteStartObject();
            json.WriteString("database", path);
            json.WriteString("node", role.Name());
            json.WriteStartArray("actors");
            foreach (var r in reports)
            {
                json.WriteStartObject();
                json.WriteString("device", r.Device.Value);
                json.WriteString("persistenceId", r.PersistenceId);
                WritePosition(json, "deviceLog", r.DeviceLog.Seen);
                WritePosition(json, "mirrorLog", r.MirrorLog.Seen);
                json.WriteNumber("events", r.Events);
                json.WriteNumber("lastSequenceNr", r.LastJournalSequenceNr);
                WriteTime(json, "lastWrite", r.LastWrite);
                if (r.SnapshotSequenceNr is { } s)
                    json.WriteNumber("snapshotSequenceNr", s);
                else
                    json.WriteNull("snapshotSequenceNr");
                if (role == NodeRole.Device)
                    json.WriteNull("diverged");
                else
                    json.WriteBoolean("diverged", r.Divergence is not null);
                if (r.Divergence is { } divergence)
                    json.WriteString("divergence", divergence.Describe());
                else
                    json.WriteNull("divergence");
                json.WriteEndObject();
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }

    // ---- show

    private static Command Show(NodeRole role, string defaultConfigFile, CommandOutput io)
    {
        var command = new Command("show",
            "One device's log entries in journal order: sequence, log, kind, argv or result, HLC timestamp, short hash; or JSON lines with every field.");
        var device = new Argument<string>("DEVICE")
        {
            Description = role == NodeRole.Device ? "The device's own id (iotsync.device.id)." : "The device whose journal to show.",
        };
        var from = Count("--from", "Only entries with this log sequence number or later.");
        from.DefaultValueFactory = _ => 1;
        var limit = Count("--limit", "At most this many entries (default: all).");
        var origin = new Option<string?>("--origin") { Description = "Only the device's log or only the mirror's.", HelpName = "device|mirror" };
        origin.AcceptOnlyFromAmong("device", "mirror");
        command.Arguments.Add(device);
        command.Options.Add(from);
        command.Options.Add(limit);
        command.Options.Add(origin);
        var db = AddDatabaseOptions(command, defaultConfigFile);
        var json = AddJson(command, "JSON lines, one entry each, with every field.");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var store = Store(parsed, db, role, defaultConfigFile);
            var path = store.Location;
            var only = parsed.GetValue(origin) switch { "device" => Origin.Device, "mirror" => (Origin?)Origin.Mirror, _ => null };
            var filter = new ShowFilter(parsed.GetValue(from) ?? 1, parsed.GetValue(limit) ?? long.MaxValue, only);
            var asJson = parsed.GetValue(json);
            var console = asJson ? null : Terminal.Create(io.Out, io.OutIsTerminal);
            var table = console is null ? null : NewTable(console, "seq", "log", "kind", "argv / result", "hlc (UTC)", "hash", "event");
            await WithInspector(role, store, async inspector =>
            {
                var id = await inspector.Resolve(parsed.GetValue(device)!, cancellationToken);
                long shown = 0;
                await foreach (var stored in inspector.Events(id, cancellationToken))
                {
                    if (shown >= filter.Limit)
                        break;
                    if (!filter.Admits(stored))
                        continue;
                    shown++;
                    if (table is null)
                        WriteShowJsonLine(io.Out, id, stored);
                    else
                        AddShowRow(table, stored);
                }
                return shown;
            });
            if (console is not null && table is not null)
                console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>An option taking a whole number of 1 or more, with an error that says so.</summary>
    private static Option<long?> Count(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result =>
        {
            var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1)
                return value;
            result.AddError($"{name} takes a whole number of 1 or more, not '{token}'");
            return null;
        },
    };

    /// <summary>Which entries <c>show</c> prints. Bookkeeping events are never shown; undecodable ones always are, unless filtered by a log they cannot be placed in.</summary>
    private sealed record ShowFilter(long From, long Limit, Origin? Only)
    {
        public bool Admits(StoredEvent stored) => stored.Event switch
        {
            EntryAppended { Entry: var e } => e.Sequence >= From && (Only is null || e.Origin == Only),
            UndecodablePayload bad => Only is null || EntrySniffer.Sniff(bad.Bytes).Origin == Only,
            _ => false,
        };
    }

    private static void AddShowRow(Table table, StoredEvent stored)
    {
        var sequenceNr = Number(stored.JournalSequenceNr);
        if (stored.Event is UndecodablePayload bad)
        {
            var (origin, sequence) = EntrySniffer.Sniff(bad.Bytes);
            AddRow(table, sequence is { } s ? Number(s) : "?", origin is { } o ? EntryFormat.OriginName(o) : "?", "UNDECODABLE",
                $"'{bad.Manifest}' payload does not decode: {bad.Reason}", "", "", sequenceNr);
            return;
        }
        var entry = ((EntryAppended)stored.Event).Entry;
        AddRow(table, Number(entry.Sequence), EntryFormat.OriginName(entry.Origin), EntryFormat.KindName(entry.Kind), EntryFormat.Summary(entry),
            EntryFormat.Hlc(entry.Timestamp), entry.Hash.Short, sequenceNr);
    }

    private static void WriteShowJsonLine(TextWriter output, DeviceId device, StoredEvent stored) => WriteJson(output, json =>
    {
        if (stored.Event is EntryAppended { Entry: var entry })
        {
            EntryFormat.WriteJson(json, device, entry, stored.JournalSequenceNr, stored.WrittenAt);
            return;
        }
        var bad = (UndecodablePayload)stored.Event;
        var (origin, sequence) = EntrySniffer.Sniff(bad.Bytes);
        json.WriteStartObject();
        json.WriteString("device", device.Value);
        if (origin is { } o) json.WriteString("log", EntryFormat.OriginName(o)); else json.WriteNull("log");
        if (sequence is { } s) json.WriteNumber("sequence", s); else json.WriteNull("sequence");
        json.WriteNumber("journalSequenceNr", stored.JournalSequenceNr);
        json.WriteStartObject("undecodable");
        json.WriteString("manifest", bad.Manifest);
        json.WriteString("reason", bad.Reason);
        json.WriteEndObject();
        json.WriteEndObject();
    });

    // ---- verify

    private static Command Verify(NodeRole role, string defaultConfigFile, CommandOutput io)
    {
        var command = new Command("verify",
            "Check every log: sequence continuity, each entry's hash, each link to the previous hash, and that replaying the events through the actor's own code gives the latest snapshot's state. Exit 0 when all holds, 1 with the device, log, first bad sequence number and reason for each problem.");
        var device = new Argument<string?>("DEVICE") { Description = "Only this device (default: every device in the journal).", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "Verify this export (from 'journal export') instead of a database; needs no database.", HelpName = "EXPORT" };
        var against = new Option<string?>("--against")
        {
            Description = $"Also compare with the {role.Other().Name()}'s copy — its database or an export — log by log and with the heads both sides confirmed at their last sync.",
            HelpName = "OTHER",
        };
        command.Arguments.Add(device);
        command.Options.Add(file);
        command.Options.Add(against);
        var db = AddDatabaseOptions(command, defaultConfigFile);
        var json = AddJson(command, "One JSON object instead of lines of text.");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var export = parsed.GetValue(file);
            if (export is not null && (parsed.GetValue(db.Db) is not null || parsed.GetValue(db.Config) is not null))
                throw new InspectionException("--file verifies an export on its own: give it without --db or --config");
            var store = export is null ? Store(parsed, db, role, defaultConfigFile) : null;
            var path = store?.Location;
            var shown = new List<StderrProgress>();
            VerificationResult result;
            try
            {
                result = await JournalVerification.Run(new VerifyRequest(role, path, parsed.GetValue(device), export, parsed.GetValue(against), store),
                    Progress(io, shown), cancellationToken);
            }
            finally
            {
                shown.ForEach(p => p.Dispose());
            }
            if (parsed.GetValue(json))
                WriteVerifyJson(io.Out, result);
            else
                WriteVerifyText(io.Out, result);
            return result.Holds ? ExitCodes.Ok : ExitCodes.Problems;
        });
        return command;
    }

    internal static void WriteVerifyText(TextWriter output, VerificationResult result)
    {
        foreach (var copy in result.Copies.Where(c => c.Holds))
        {
            var snapshot = copy.Snapshot switch
            {
                _ when copy.IsExport => "",
                SnapshotCheck.Matches => $", snapshot at event {Number(copy.SnapshotSequenceNr ?? 0)} matches the replay",
                SnapshotCheck.None => ", no snapshot",
                _ => "",
            };
            var where = copy.IsExport ? "export" : "copy in";
            output.WriteLine($"ok    device {copy.Device} ({copy.Role.Name()}'s {where} {copy.Source}): device log {copy.DeviceLog}, mirror log {copy.MirrorLog}, " +
                $"{Number(copy.Events)} events, state digest {copy.StateDigest?.Short ?? "-"}{snapshot}");
        }
        foreach (var other in result.Others ?? [])
            output.WriteLine($"read  {other}");
        foreach (var finding in result.Findings)
            output.WriteLine($"FAIL  {finding}");
        if (result.Comparison is not null && !result.Findings.Any(f => f.Source == JournalVerification.ComparisonSource))
            output.WriteLine($"ok    compared the {result.Comparison}: both logs agree");
        var checkedCopies = result.Copies.Count;
        output.WriteLine(result.Holds
            ? $"all holds ({checkedCopies} {Plural(checkedCopies, "copy", "copies")} checked{(result.Comparison is null ? "" : ", and compared")})"
            : $"{result.Findings.Count} {Plural(result.Findings.Count, "problem", "problems")} found");
    }

    private static void WriteVerifyJson(TextWriter output, VerificationResult result) => WriteJson(output, json =>
    {
        json.WriteStartObject();
        json.WriteBoolean("holds", result.Holds);
        json.WriteStartArray("copies");
        foreach (var copy in result.Copies)
        {
            json.WriteStartObject();
            json.WriteString("source", copy.Source);
            json.WriteBoolean("export", copy.IsExport);
            json.WriteString("node", copy.Role.Name());
            json.WriteString("device", copy.Device.Value);
            json.WriteNumber("events", copy.Events);
            WritePosition(json, "deviceLog", copy.DeviceLog);
            WritePosition(json, "mirrorLog", copy.MirrorLog);
            if (copy.StateDigest is { } digest) json.WriteString("stateDigest", digest.ToHex()); else json.WriteNull("stateDigest");
            if (copy.SnapshotSequenceNr is { } s) json.WriteNumber("snapshotSequenceNr", s); else json.WriteNull("snapshotSequenceNr");
            json.WriteString("snapshot", copy.Snapshot.ToString().ToLowerInvariant());
            json.WriteBoolean("holds", copy.Holds);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (result.Comparison is { } comparison) json.WriteString("comparison", comparison); else json.WriteNull("comparison");
        json.WriteStartArray("others");
        foreach (var other in result.Others ?? [])
            json.WriteStringValue(other);
        json.WriteEndArray();
        json.WriteStartArray("findings");
        foreach (var (source, finding) in result.Findings)
        {
            json.WriteStartObject();
            json.WriteString("source", source);
            if (finding.Device is { } d) json.WriteString("device", d.Value); else json.WriteNull("device");
            json.WriteString("place", finding.PlaceName);
            json.WriteNumber("sequence", finding.Sequence);
            if (finding.JournalSequenceNr is { } j) json.WriteNumber("journalSequenceNr", j); else json.WriteNull("journalSequenceNr");
            json.WriteString("reason", finding.Reason);
            json.WriteString("text", finding.ToString());
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    // ---- export

    private static Command Export(NodeRole role, string defaultConfigFile, CommandOutput io, Func<DateTimeOffset> now)
    {
        var command = new Command("export",
            "Write one device's journal as a self-contained JSON document — both logs, their heads, the model state and its digest, the format version — that 'journal verify --file' checks without the database. Refused for a journal that does not verify.");
        var device = new Argument<string>("DEVICE") { Description = role == NodeRole.Device ? "The device's own id." : "The device to export." };
        var outFile = new Option<string>("--out") { Description = "The file to write (replaced if it exists).", HelpName = "FILE", Required = true };
        command.Arguments.Add(device);
        command.Options.Add(outFile);
        var db = AddDatabaseOptions(command, defaultConfigFile);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var store = Store(parsed, db, role, defaultConfigFile);
            var path = store.Location;
            var target = Path.GetFullPath(parsed.GetValue(outFile)!);
            var report = await WithInspector(role, store, async inspector =>
            {
                var id = await inspector.Resolve(parsed.GetValue(device)!, cancellationToken);
                using var progress = new StderrProgress($"reading {id}", io.Error, io.ErrorIsTerminal);
                return await inspector.Audit(id, keepEntries: true, progress: progress, cancellationToken: cancellationToken);
            });
            if (!report.Holds)
            {
                foreach (var finding in report.Findings)
                    io.Out.WriteLine($"FAIL  {finding}");
                io.Error.WriteLine($"journal export: the journal of device {report.Device} does not verify; nothing exported");
                return ExitCodes.Problems;
            }
            var document = JournalExport.From(report, now());
            var temporary = target + ".tmp";
            await File.WriteAllBytesAsync(temporary, JournalExport.Encode(document), cancellationToken);
            File.Move(temporary, target, overwrite: true);
            io.Out.WriteLine($"exported device {document.Device} ({role.Name()}'s copy): device log {document.DeviceLog.Length}@{document.DeviceLog.Head.Short}, " +
                $"mirror log {document.MirrorLog.Length}@{document.MirrorLog.Head.Short}, state digest {document.StateDigest.Short} to {target}");
            return ExitCodes.Ok;
        });
        return command;
    }

    // ---- stats

    private static Command Stats(NodeRole role, string defaultConfigFile, CommandOutput io, Func<DateTimeOffset> now)
    {
        var command = new Command("stats",
            "Entries per device and kind, the journal file's size, and events per second written over the last hour.");
        var db = AddDatabaseOptions(command, defaultConfigFile);
        var json = AddJson(command, "One JSON object instead of a table.");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var store = Store(parsed, db, role, defaultConfigFile);
            var path = store.Location;
            var at = now();
            var stats = await WithInspector(role, store, async inspector =>
            {
                var reports = new List<ActorReport>();
                foreach (var device in await inspector.Devices(cancellationToken))
                    reports.Add(await inspector.Audit(device, countSince: at - JournalStatistics.Hour, cancellationToken: cancellationToken));
                return store.Postgres is { } postgres
                    ? JournalStatistics.From(path, PostgresDatabase.SizeBytes(postgres), 0, at, reports)
                    : JournalStatistics.From(path, FileSize(path), FileSize(path + "-wal"), at, reports);
            });
            if (parsed.GetValue(json))
                WriteStatsJson(io.Out, stats);
            else
                WriteStatsTable(io, role, stats);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void WriteStatsTable(CommandOutput io, NodeRole role, JournalStatistics stats)
    {
        var console = Terminal.Create(io.Out, io.OutIsTerminal);
        var table = NewTable(console, "device", "events", "device log: commands", "results", "mirror log: commands", "cancels", "events last hour", "events/s", "last write (UTC)");
        foreach (var d in stats.Devices)
            AddRow(table, d.Device.Value, Number(d.Events), Number(d.DeviceLog.Commands), Number(d.DeviceLog.Results), Number(d.MirrorLog.Commands),
                Number(d.MirrorLog.Cancels), Number(d.EventsLastHour), Rate(d.EventsPerSecondLastHour), EntryFormat.Time(d.LastWrite));
        if (stats.Devices.Count > 0)
            console.Write(table);
        else
            console.WriteLine($"{stats.DatabasePath} holds no {role.ActorName()} journal");
        io.Out.WriteLine($"database {stats.DatabasePath}: {Bytes(stats.DatabaseBytes)}, write-ahead log {Bytes(stats.WalBytes)}");
        io.Out.WriteLine($"{Number(stats.Events)} events from {Number(stats.Devices.Count)} {Plural(stats.Devices.Count, "device", "devices")}; " +
            $"{Number(stats.EventsLastHour)} written in the last hour ({Rate(stats.EventsPerSecondLastHour)} events/s)");
    }

    private static void WriteStatsJson(TextWriter output, JournalStatistics stats) => WriteJson(output, json =>
    {
        json.WriteStartObject();
        json.WriteString("database", stats.DatabasePath);
        json.WriteNumber("databaseBytes", stats.DatabaseBytes);
        json.WriteNumber("walBytes", stats.WalBytes);
        json.WriteString("now", stats.Now.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        json.WriteNumber("events", stats.Events);
        json.WriteNumber("eventsLastHour", stats.EventsLastHour);
        json.WriteNumber("eventsPerSecondLastHour", stats.EventsPerSecondLastHour);
        json.WriteStartArray("devices");
        foreach (var d in stats.Devices)
        {
            json.WriteStartObject();
            json.WriteString("device", d.Device.Value);
            json.WriteNumber("events", d.Events);
            json.WriteStartObject("deviceLog");
            json.WriteNumber("command", d.DeviceLog.Commands);
            json.WriteNumber("result", d.DeviceLog.Results);
            json.WriteEndObject();
            json.WriteStartObject("mirrorLog");
            json.WriteNumber("command", d.MirrorLog.Commands);
            json.WriteNumber("cancel", d.MirrorLog.Cancels);
            json.WriteEndObject();
            json.WriteNumber("eventsLastHour", d.EventsLastHour);
            json.WriteNumber("eventsPerSecondLastHour", d.EventsPerSecondLastHour);
            WriteTime(json, "lastWrite", d.LastWrite);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    });

    // ---- shared rendering

    private static Table NewTable(IAnsiConsole console, params string[] headers)
    {
        var table = new Table { Border = console.Profile.Capabilities.Unicode ? TableBorder.Rounded : TableBorder.Ascii };
        foreach (var header in headers)
            table.AddColumn(new TableColumn(new Text(header)) { NoWrap = !console.Profile.Capabilities.Unicode });
        return table;
    }

    /// <summary>Cells as plain text: nothing from the journal is read as Spectre markup.</summary>
    private static void AddRow(Table table, params string[] cells) => table.AddRow(cells.Select(c => (IRenderable)new Text(c)));

    private static void WriteJson(TextWriter output, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, JsonLine))
            write(json);
        output.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WritePosition(Utf8JsonWriter json, string name, LogPosition position)
    {
        json.WriteStartObject(name);
        json.WriteNumber("length", position.Length);
        json.WriteString("head", position.Head.ToHex());
        json.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
            json.WriteString(name, t.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
        else
            json.WriteNull(name);
    }

    private static long FileSize(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    private static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Rate(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Plural(long count, string one, string many) => count == 1 ? one : many;

    private static string Bytes(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KiB",
        _ => (bytes / 1024.0 / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " MiB",
    };
}
