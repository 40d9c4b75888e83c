using System.CommandLine;
using System.Globalization;
using IoTSync.Backup;
using IoTSync.Cli.Journal;
using IoTSync.Inspection;
using IoTSync.Persistence;

namespace IoTSync.Cli.Backup;

/// <summary>
/// <c>backup --out FILE</c> and <c>restore --from FILE</c>: the same two commands on both nodes, over the
/// database the node's configuration names (see <see cref="NodeBackup"/>). Each node's program adds them.
/// </summary>
public static class BackupCommands
{
    /// <param name="role">Which node's database the commands copy and replace.</param>
    /// <param name="defaultConfigFile">The node's configuration when <c>--config</c> is not given.</param>
    /// <param name="clock">"Now" for the name of the database a restore sets aside; the system clock when null.</param>
    public static IEnumerable<Command> Create(NodeRole role, string defaultConfigFile, Func<DateTimeOffset>? clock = null)
    {
        yield return Backup(role, defaultConfigFile);
        yield return Restore(role, defaultConfigFile, clock ?? (() => DateTimeOffset.UtcNow));
    }

    private static Command Backup(NodeRole role, string defaultConfigFile)
    {
        var command = new Command("backup",
            $"Copy the {role.Name()} node's database to a new file (owner-only), consistent as of one moment, while the node runs (it is not paused) or when it is stopped; " +
            "the copy is then checked as 'journal verify' checks a journal, and deleted when it does not hold. Exit 0 with a verified backup, 1 with the problems found (no backup left), 2 when it could not run.");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var output = new Option<string>("--out") { Description = "The backup file to write; must not exist.", Required = true, HelpName = "FILE" };
        command.Options.Add(output);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            // Whatever SQLite makes beside the copy (its -wal and -shm while it is verified) is owner-only as well.
            Hosting.OwnerOnlyFiles.Restrict();
            var database = SqliteOnly(IoTSyncPersistenceSettings.FromConfig(NodeCli.LoadConfig(parsed, config, defaultConfigFile)), "backup").DatabasePath;
            var target = Path.GetFullPath(parsed.GetValue(output)!);
            var result = await NodeBackup.Take(role, database, target, cancellationToken);
            var stdout = parsed.InvocationConfiguration.Output;
            JournalCommands.WriteVerifyText(stdout, result);
            if (!result.Holds)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"{ProgramName(role)}: the copy of {database} does not verify; it was deleted, no backup was written");
                return ExitCodes.Problems;
            }
            stdout.WriteLine($"backup of {database} written to {target} ({new FileInfo(target).Length.ToString(CultureInfo.InvariantCulture)} bytes, owner-only), verified");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Restore(NodeRole role, string defaultConfigFile, Func<DateTimeOffset> clock)
    {
        var command = new Command("restore",
            $"Replace the {role.Name()} node's database with a backup: refused while a node runs on this configuration; the backup is verified first; " +
            "the database it replaces (with its -wal and -shm) is kept beside it as DATABASE.replaced-TIME, owner-only. Exit 0 restored, 1 the backup does not verify (nothing changed), 2 refused or could not run (nothing changed).");
        var config = NodeCli.ConfigOption(command, defaultConfigFile);
        var from = new Option<string>("--from") { Description = "The backup file ('backup --out' wrote it).", Required = true, HelpName = "FILE" };
        command.Options.Add(from);
        command.SetAction(async (parsed, cancellationToken) =>
        {
            Hosting.OwnerOnlyFiles.Restrict();
            var loaded = NodeCli.LoadConfig(parsed, config, defaultConfigFile);
            var database = SqliteOnly(IoTSyncPersistenceSettings.FromConfig(loaded), "restore").DatabasePath;
            // A device's database holds its own log only: another device's backup would make this node that device.
            var device = role == NodeRole.Device ? loaded.GetString("iotsync.device.id") : null;
            var (result, aside) = await NodeBackup.Restore(role, database, parsed.GetValue(from)!, device, clock(), cancellationToken);
            var stdout = parsed.InvocationConfiguration.Output;
            JournalCommands.WriteVerifyText(stdout, result);
            if (!result.Holds)
            {
                parsed.InvocationConfiguration.Error.WriteLine($"{ProgramName(role)}: {Path.GetFullPath(parsed.GetValue(from)!)} does not verify; nothing was restored, {database} is unchanged");
                return ExitCodes.Problems;
            }
            stdout.WriteLine(aside is null
                ? $"restored {database} from {Path.GetFullPath(parsed.GetValue(from)!)} (there was no database before)"
                : $"restored {database} from {Path.GetFullPath(parsed.GetValue(from)!)}; the database it replaced is kept as {aside}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Backup and restore copy a SQLite file; a PostgreSQL journal is the server's to back up (pg_dump, or the
    /// server's own base backups and WAL archive), refused here in one line that says so.
    /// </summary>
    private static IoTSyncPersistenceSettings SqliteOnly(IoTSyncPersistenceSettings settings, string verb) => settings.Postgres is { } postgres
        ? throw new InspectionException(
            $"{verb} copies a SQLite journal; this node's journal is in PostgreSQL ({postgres.Description}): use the server's tools instead, " +
            $"e.g. pg_dump --format=custom --file=FILE {postgres.Database} and pg_restore (see docs/ARCHITECTURE.md, Persistence and durability)")
        : settings;

    private static string ProgramName(NodeRole role) => role == NodeRole.Device ? "iotsync-device" : "iotsync-mirror";
}
