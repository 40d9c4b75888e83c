using IoTSync.Logs;
using IoTSync.Serialization;
using Microsoft.Data.Sqlite;
using Xunit;

namespace IoTSync.Tests.Inspection;

/// <summary>
/// A device log rewritten whole on the device — one entry changed, every later hash and link
/// recomputed, the snapshots dropped — passes a chain check by construction. Only the other
/// side's copy shows it: <c>verify --against</c> names the first rewritten entry, from either
/// side, against the other's database or its export.
/// </summary>
[Collection(NodeJournalsCollection.Name)]
public sealed class JournalRewriteSpecs(NodeJournals journals) : IDisposable
{
    private const long Rewritten = 3;
    private readonly ScratchDirectory _scratch = new();

    [Fact]
    public async Task Should_pass_a_chain_check_but_not_a_comparison_with_the_other_sides_copy_either_way()
    {
        var device = journals.CopyOf(journals.DeviceDb, _scratch);
        RewriteDeviceLog(device, "command-recorder-dev-1", Rewritten, ["set", "mode", "off"]);
        var export = _scratch.File("device-export.json");

        var alone = await NodeCliRunner.RunDevice("journal", "verify", "--db", device);
        var deviceAgainstMirror = await NodeCliRunner.RunDevice("journal", "verify", "--db", device, "--against", journals.MirrorDb);
        var mirrorAgainstDevice = await NodeCliRunner.RunMirror("journal", "verify", "dev-1", "--db", journals.MirrorDb, "--against", device);
        var exported = await NodeCliRunner.RunDevice("journal", "export", "dev-1", "--db", device, "--out", export);
        var mirrorAgainstExport = await NodeCliRunner.RunMirror("journal", "verify", "--db", journals.MirrorDb, "--against", export);
        var exportAgainstMirror = await NodeCliRunner.RunMirror("journal", "verify", "--file", export, "--against", journals.MirrorDb);

        Assert.True(alone.ExitCode == 0, alone.ToString());
        Assert.True(exported.ExitCode == 0, exported.ToString());
        foreach (var run in new[] { deviceAgainstMirror, mirrorAgainstDevice, mirrorAgainstExport, exportAgainstMirror })
        {
            Assert.True(run.ExitCode == 1, run.ToString());
            var finding = Assert.Single(run.Lines, l => l.StartsWith("FAIL"));
            Assert.StartsWith($"FAIL  device dev-1, device log, entry {Rewritten}: the device's copy (", finding);
            Assert.Contains($"the mirror confirmed this log at {journals.Journal.View.DeviceLog}", finding);
            Assert.Contains($"so the device's log was rewritten from entry {Rewritten} on [comparison]", finding);
        }
    }

    /// <summary>What an intruder with the device's file would do: change one entry, recompute every later hash and link, drop the snapshots.</summary>
    private static void RewriteDeviceLog(string database, string persistenceId, long from, string[] argv)
    {
        using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            var rows = new List<(long SequenceNr, string Manifest, byte[] Message)>();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT sequence_number, manifest, message FROM journal WHERE persistence_id = $id ORDER BY sequence_number";
                read.Parameters.AddWithValue("$id", persistenceId);
                using var reader = read.ExecuteReader();
                while (reader.Read())
                    rows.Add((reader.GetInt64(0), reader.GetString(1), (byte[])reader[2]));
            }
            Sha256Hash? previous = null;
            foreach (var (sequenceNr, manifest, message) in rows)
            {
                if (IoTSyncCodec.Decode(message, manifest) is not EntryAppended { Entry: { Origin: Origin.Device } entry } || entry.Sequence < from)
                    continue;
                var changed = entry.Sequence == from ? entry with { Argv = [.. argv] } : entry;
                changed = changed with { PreviousHash = previous ?? entry.PreviousHash };
                changed = changed with { Hash = changed.ComputeHash() };
                previous = changed.Hash;
                using var update = connection.CreateCommand();
                update.CommandText = "UPDATE journal SET message = $message WHERE persistence_id = $id AND sequence_number = $nr";
                update.Parameters.AddWithValue("$message", IoTSyncCodec.Encode(new EntryAppended(changed)));
                update.Parameters.AddWithValue("$id", persistenceId);
                update.Parameters.AddWithValue("$nr", sequenceNr);
                Assert.Equal(1, update.ExecuteNonQuery());
            }
            using var drop = connection.CreateCommand();
            drop.CommandText = "DELETE FROM snapshot WHERE persistence_id = $id";
            drop.Parameters.AddWithValue("$id", persistenceId);
            drop.ExecuteNonQuery();
        }
    }

    public void Dispose() => _scratch.Dispose();
}
