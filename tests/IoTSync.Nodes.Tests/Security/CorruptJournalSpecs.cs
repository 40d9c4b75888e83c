using System.Text.RegularExpressions;
using IoTSync.Tests.Nodes;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>
/// The bad-input suite's case that needs a pair of its own: a device node started on a journal whose
/// newest event was overwritten with bytes that do not decode. It must refuse to run (not serve, not sync,
/// not rewrite the journal), say why, and leave the journal and the mirror's copy as they were.
/// </summary>
[Collection(NodeProcessCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CorruptJournalSpecs
{
    [SkippableFact]
    public async Task Should_refuse_to_start_on_a_journal_that_does_not_decode_say_why_and_change_nothing()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartAll();
        await rig.AwaitResult(await rig.LeaveAtMirror(["echo", "before"]));
        var mirrorBefore = (await rig.AwaitConverged()).GetRawText();
        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        var persistenceId = $"command-recorder-{deployment.DeviceId}";
        Sqlite3.Run(deployment.DeviceDatabase,
            $"UPDATE journal SET message = CAST('{{\"not\": an entry' AS BLOB) WHERE persistence_id = '{persistenceId}' " +
            $"AND sequence_number = (SELECT max(sequence_number) FROM journal WHERE persistence_id = '{persistenceId}');");
        // The node's start-up gives up on a recorder that did not recover after the request timeout: short here, the spec waits for it.
        await File.AppendAllTextAsync(deployment.DeviceConfig, "\n# This spec's start-up bound.\niotsync.device.request-timeout = 3s\n");
        var journalBefore = Sqlite3.Run(deployment.DeviceDatabase, "SELECT persistence_id, sequence_number, hex(message) FROM journal ORDER BY ordering;", readOnly: true);

        var started = await Record.ExceptionAsync(() => deployment.StartDevice());

        // Refused: the node never says it is running; it exits (once its start-up gives up waiting for the recorder), and names the event it could not read.
        Assert.NotNull(started);
        var exit = await deployment.Device.WaitForExit(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.True(new Regex($@"the journal of {persistenceId} did not recover: recovery failed at journal event \d+").IsMatch(deployment.Device.Output), deployment.Device.Output);
        Assert.Equal(journalBefore, Sqlite3.Run(deployment.DeviceDatabase, "SELECT persistence_id, sequence_number, hex(message) FROM journal ORDER BY ordering;", readOnly: true));
        Assert.Equal(mirrorBefore, (await deployment.MirrorJson("state", "--device", deployment.DeviceId)).GetProperty("view").GetRawText());
    }
}
