using System.Text.Json;
using System.Text.RegularExpressions;
using IoTSync.Testing;
using IoTSync.Testing.Processes;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A journal write that fails (issue 11, fault 2): each node's database on a small tmpfs, filled with a file.
/// The node answers at once with the cause ("database full: …") instead of timing out, keeps its windows going,
/// and heals by itself once the file is deleted: the next command is recorded and syncs, and nothing is written twice.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
public sealed class FullDiskSpecs(FullDiskSpecs.Pair pair) : IClassFixture<FullDiskSpecs.Pair>
{
    [SkippableFact]
    public async Task Should_answer_the_device_exec_and_status_with_the_full_disk_and_heal_when_space_returns()
    {
        var rig = await pair.Started();
        var deployment = rig.Deployment;
        (await deployment.DeviceCli(["exec", "--", "echo", "before"])).EnsureSuccess("exec before the disk fills");

        pair.DeviceDisk.Fill();
        var during = await deployment.DeviceCli(["exec", "--", "echo", "during"]);
        Assert.True(!during.Succeeded && during.Stderr.Contains("database full", StringComparison.Ordinal), $"{during}\n{rig.Logs()}");
        var status = await deployment.DeviceCli(["status"]);
        Assert.True((status.Stdout + status.Stderr).Contains("database full", StringComparison.Ordinal), $"{status}\n{rig.Logs()}");
        var windows = WindowsClosed(deployment);
        await NodeRig.Poll("two more windows while the disk is full", () => Task.FromResult(WindowsClosed(deployment) >= windows + 2 ? true : (bool?)null));
        Assert.DoesNotContain("Timeout", during.Stderr, StringComparison.OrdinalIgnoreCase);

        pair.DeviceDisk.Free();
        await NodeRig.Poll("an exec recorded again once space returned", async () =>
            (await deployment.DeviceCli(["exec", "--", "echo", "after"])).Succeeded ? true : (bool?)null);
        var length = (await deployment.DeviceJson("status")).GetProperty("view").GetProperty("deviceLog").GetProperty("length").GetInt64();
        await rig.AwaitConverged(view => view.GetProperty("deviceLog").GetProperty("length").GetInt64() >= length);
        var journal = await rig.DeviceJournal();
        Assert.Single(journal, e => Argv(e) == "echo after");
        Assert.True(journal.Count(e => Argv(e) == "echo during") <= 1, string.Join('\n', journal));
        Assert.Equal(journal.Count, journal.Select(Key).Distinct().Count());
        Assert.True((await deployment.DeviceCli(["journal", "verify"])).Succeeded, rig.Logs());
        Assert.True((await deployment.MirrorCli(["journal", "verify"])).Succeeded, rig.Logs());
    }

    [SkippableFact]
    public async Task Should_refuse_a_mirror_command_with_the_full_disk_and_heal_when_space_returns()
    {
        var rig = await pair.Started();
        var deployment = rig.Deployment;
        await rig.LeaveAtMirror(["echo", "mirror-before"]);

        pair.MirrorDisk.Fill();
        var during = await deployment.MirrorCli(["exec", "--device", deployment.DeviceId, "--", "echo", "mirror-during"]);
        Assert.True(!during.Succeeded && during.Stderr.Contains("database full", StringComparison.Ordinal), $"{during}\n{rig.Logs()}");

        pair.MirrorDisk.Free();
        var sequence = await NodeRig.Poll("a mirror command stored again once space returned", async () =>
        {
            var left = await deployment.MirrorCli(["exec", "--json", "--device", deployment.DeviceId, "--", "echo", "mirror-after"]);
            return left.Succeeded ? JsonDocument.Parse(left.Stdout).RootElement.GetProperty("sequence").GetInt64() : (long?)null;
        });
        Assert.Equal("executed", (await rig.AwaitResult(sequence)).GetProperty("outcome").GetString());
        await rig.AwaitConverged();
        var mirrorLog = await MirrorJournal(deployment);
        Assert.Single(mirrorLog, e => Argv(e) == "echo mirror-after");
        Assert.True(mirrorLog.Count(e => Argv(e) == "echo mirror-during") <= 1, string.Join('\n', mirrorLog));
        Assert.Equal(mirrorLog.Count, mirrorLog.Select(Key).Distinct().Count());
        Assert.Single(await rig.ResultsFor(sequence));
        Assert.True((await deployment.MirrorCli(["journal", "verify"])).Succeeded, rig.Logs());
    }

    private static async Task<IReadOnlyList<JsonElement>> MirrorJournal(Deployment deployment)
    {
        var shown = (await deployment.MirrorCli(["journal", "show", deployment.DeviceId, "--json", "--limit", "100000"])).EnsureSuccess("journal show");
        return [.. shown.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }

    private static string Argv(JsonElement entry) =>
        entry.TryGetProperty("argv", out var argv) && argv.ValueKind == JsonValueKind.Array ? string.Join(' ', argv.EnumerateArray().Select(a => a.GetString())) : "";

    private static string Key(JsonElement entry) => $"{entry.GetProperty("log").GetString()}/{entry.GetProperty("sequence").GetInt64()}";

    private static int WindowsClosed(Deployment deployment) => Regex.Matches(deployment.Device!.Output, @"\] window \d+ closed after").Count;

    /// <summary>One pair of nodes for both cases, each node's database on its own small tmpfs; restarts after a failure within 2 s.</summary>
    public sealed class Pair : IAsyncLifetime
    {
        private NodeRig? _rig;

        public SmallDisk DeviceDisk { get; private set; } = null!;

        public SmallDisk MirrorDisk { get; private set; } = null!;

        /// <summary>The running pair (skips where a tmpfs cannot be mounted).</summary>
        public async Task<NodeRig> Started()
        {
            Skip.If(SmallDisk.Unavailable() is not null, SmallDisk.Unavailable());
            if (_rig is not null)
                return _rig;
            DeviceDisk = await SmallDisk.Mount();
            MirrorDisk = await SmallDisk.Mount();
            _rig = await NodeRig.Create(new DeploymentOptions
            {
                DeviceDatabaseDirectory = DeviceDisk.Directory, MirrorDatabaseDirectory = MirrorDisk.Directory,
            });
            const string quickRestarts = """

                # Journal actors restarted quickly after a failed write, so healing is seen soon.
                iotsync.journal-restart { min-backoff = 200ms, max-backoff = 2s }

                """;
            await File.AppendAllTextAsync(_rig.Deployment.DeviceConfig, quickRestarts);
            await File.AppendAllTextAsync(_rig.Deployment.MirrorConfig, quickRestarts);
            await _rig.Deployment.StartAll();
            await _rig.AwaitConverged();
            return _rig;
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            try
            {
                if (_rig is not null)
                    await _rig.DisposeAsync();
            }
            finally
            {
                if (DeviceDisk is not null)
                    await DeviceDisk.DisposeAsync();
                if (MirrorDisk is not null)
                    await MirrorDisk.DisposeAsync();
            }
        }
    }
}
