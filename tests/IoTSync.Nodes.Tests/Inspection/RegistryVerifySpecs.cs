using System.Text;
using System.Text.RegularExpressions;
using IoTSync.Mirror;
using IoTSync.Testing.Processes;
using IoTSync.Tests.Nodes;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// <c>journal verify</c> on a mirror database the real nodes wrote (enrolment, windows, a command
/// delivered and answered): the device registry's events are hash-chained and checked, so a pinned
/// host key edited in the database is named (issue 11, fault 9); and the device's window history is
/// in its own journal, none of it among the logs' events (fault 8).
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class RegistryVerifySpecs(DamagedDatabaseSpecs.WrittenDatabases written) : IClassFixture<DamagedDatabaseSpecs.WrittenDatabases>
{
    private const string WindowManifests = "('heartbeat-recorded', 'session-recorded')";

    [SkippableFact]
    public async Task Should_verify_an_unedited_registry_and_the_window_history_beside_the_logs()
    {
        var rig = written.Rig ?? throw new SkipException(written.SkipReason ?? "no rig");
        var database = Copy(rig, "unedited");

        var verify = await NodeCliRunner.Run(rig.Deployment.Binaries.MirrorDll, ["journal", "verify", "--db", database], dotnet: rig.Deployment.Binaries.Dotnet);

        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Matches(@"read  device registry: (\d+) events, \1 hash-chained", verify.Stdout);
        Assert.Contains($"read  window history of device {rig.Deployment.DeviceId}: ", verify.Stdout);
        Assert.Equal(0, Number(database, $"SELECT COUNT(*) FROM journal WHERE persistence_id LIKE '{StateJournal.PersistenceIdPrefix}%' AND manifest IN {WindowManifests}"));
        Assert.True(Number(database, $"SELECT COUNT(*) FROM journal WHERE persistence_id = '{WindowHistoryJournal.PersistenceIdPrefix}{rig.Deployment.DeviceId}' AND manifest IN {WindowManifests}") > 0,
            "the mirror recorded no window in the device's window history journal");
    }

    [SkippableFact]
    public async Task Should_name_the_registry_event_whose_pinned_host_key_was_edited_in_the_database()
    {
        var rig = written.Rig ?? throw new SkipException(written.SkipReason ?? "no rig");
        var database = Copy(rig, "edited-host-key");
        var edited = EditHostKey(database, "SHA256:" + new string('B', 43));

        var verify = await NodeCliRunner.Run(rig.Deployment.Binaries.MirrorDll, ["journal", "verify", "--db", database], dotnet: rig.Deployment.Binaries.Dotnet);

        Assert.True(verify.ExitCode != 0, $"an edited host key verified:\n{verify}");
        Assert.Contains($"FAIL  device registry, event {edited}: device-enrolled of device {rig.Deployment.DeviceId}: the stored hash", verify.Stdout);
        Assert.Contains("was edited", verify.Stdout);
    }

    private static string Copy(NodeRig rig, string name)
    {
        var database = Path.Combine(rig.Directory, $"registry-{name}.db");
        File.Copy(rig.Deployment.MirrorDatabase, database, overwrite: true);
        return database;
    }

    /// <summary>Replaces the host key in the first enrolment's stored payload, as someone with the file could; the event's sequence number.</summary>
    private static long EditHostKey(string database, string fingerprint)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Pooling = false }.ToString());
        connection.Open();
        using var read = connection.CreateCommand();
        read.CommandText = $"SELECT sequence_number, message FROM journal WHERE persistence_id = '{DeviceRegistry.Id}' AND manifest = 'device-enrolled' ORDER BY sequence_number LIMIT 1";
        using var reader = read.ExecuteReader();
        Assert.True(reader.Read(), "no enrolment in the registry");
        var sequenceNr = reader.GetInt64(0);
        var json = Encoding.UTF8.GetString((byte[])reader.GetValue(1));
        reader.Close();
        var changed = Regex.Replace(json, "\"hostKeyFingerprint\":\"SHA256:[^\"]+\"", $"\"hostKeyFingerprint\":\"{fingerprint}\"");
        Assert.NotEqual(json, changed);
        using var write = connection.CreateCommand();
        write.CommandText = $"UPDATE journal SET message = $message WHERE persistence_id = '{DeviceRegistry.Id}' AND sequence_number = $seq";
        write.Parameters.AddWithValue("$message", Encoding.UTF8.GetBytes(changed));
        write.Parameters.AddWithValue("$seq", sequenceNr);
        Assert.Equal(1, write.ExecuteNonQuery());
        return sequenceNr;
    }

    private static long Number(string database, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
