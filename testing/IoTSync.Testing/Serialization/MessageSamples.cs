using System.Collections.Immutable;
using System.Globalization;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;

namespace IoTSync.Testing.Serialization;

/// <summary>One populated instance of every type the codec knows: for the round-trip and frame specs.</summary>
public static class MessageSamples
{
    private static readonly DeviceId Device = new("dev-s");

    /// <summary>One populated instance of every type the codec knows.</summary>
    public static IEnumerable<object> All()
    {
        var mirrorLog = LogPosition.Empty(Device, Origin.Mirror);
        var deviceLog = LogPosition.Empty(Device, Origin.Device);
        var command = LogEntry.NewCommand(mirrorLog, Origin.Mirror, new HlcTimestamp(1_700_000_000_000, 3), "app", ["reboot", "--in", "5 s", "ünïcødé"], 1_700_000_100_000);
        var cancel = LogEntry.NewCancel(mirrorLog.After(command), new HlcTimestamp(1_700_000_000_001, 0), "app", 1);
        var result = LogEntry.NewResult(deviceLog, new HlcTimestamp(1_700_000_000_002, 0), "device", command.Ref,
            new ResultFields(CommandOutcome.Failed, 3, "out\nput", true, 42));
        var set = LogEntry.NewCommand(deviceLog.After(result), Origin.Device, new HlcTimestamp(1_700_000_000_003, 0), "device", ["set", "ı", "İ"]);
        var logs = LogPair.Empty(Device).Append(command, 1).Append(result, 2).Append(set, 3);
        var view = logs.View;
        var check = ChainCheck.Reject(Verdict.Fork, 2, "other head");
        var window = new WindowReport(41, 812, 95, "synced");

        yield return new EntryAppended(command);
        yield return new CommandRecorderEvents.CommandStarted(command.Ref);
        yield return new StateJournalEvents.DeliveryConfirmed(7);
        yield return new StateJournalEvents.DivergenceDetected(Origin.Device, Verdict.LogShrank, 3, "shorter", 1_700_000_000_000);
        yield return new CommandRecorderState(logs, [command.Ref]);
        var session = new StateJournalEvents.SessionRecorded("session-9", 1_700_000_030_100, 1_700_000_030_400, 300, 2, 1, view.StateDigest, "Converged", null);
        var failedSession = new StateJournalEvents.SessionRecorded("session-10", 1_700_000_060_100, 1_700_000_060_200, 100, 0, 0, null, StateJournalEvents.SessionRecorded.Failed, "host key mismatch");
        var heartbeatRecorded = new StateJournalEvents.HeartbeatRecorded(1_700_000_030_050, 30_000, window);
        yield return heartbeatRecorded;
        yield return session;
        var windows = WindowHistory.Empty.Apply(new StateJournalEvents.HeartbeatRecorded(1_700_000_000_050, 30_000, null))
            .Apply(heartbeatRecorded).Apply(session).Apply(failedSession);
        yield return new StateJournalState(logs, 1, new StateJournalEvents.DivergenceDetected(Origin.Mirror, Verdict.Fork, 1, "x", 5), windows);
        yield return windows;
        yield return new Hello(Device, "session-1", ExchangeMessage.ProtocolVersion, view);
        yield return new PushEntries([command, cancel]);
        yield return new PushAccepted(view);
        yield return new PullRequest(2, 100);
        yield return new PulledEntries([result, set]);
        yield return new Done(view);
        yield return Refused.From(check);
        yield return view;
        var enrolled = new EnrolledDevice(Device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43), new string('0', 64), 1_700_000_000_000);
        yield return new DeviceRegistryMessages.Enrol(enrolled);
        yield return new DeviceRegistryMessages.Enrolled(enrolled.Listing);
        yield return new DeviceRegistryMessages.EnrolRefused("bad fingerprint");
        yield return DeviceRegistryMessages.ListDevices.Instance;
        yield return new DeviceRegistryMessages.Devices([enrolled.Listing]);
        yield return DeviceRegistryMessages.CountDevices.Instance;
        yield return new DeviceRegistryMessages.DeviceCount(1);
        var rotated = enrolled with
        {
            Disabled = true, Retired = new RetiredCredentials(new string('1', 64), 1_700_000_000_500, ""), MirrorKeyFile = "/var/lib/iotsync/mirror_ssh_key.dev.1",
            Certificate = new CertificatePin(new string('b', 64), 1_800_000_000_000), PreviousCertificate = new RetiredCertificate(null, 1_700_000_000_500),
        };
        yield return new DeviceRegistryMessages.DeviceEnrolled(rotated);
        yield return DeviceRegistryMessages.RegistryState.Empty.Apply(new DeviceRegistryMessages.DeviceEnrolled(rotated));
        yield return new DeviceRegistryMessages.Disable(Device, 1_700_000_000_000);
        yield return new DeviceRegistryMessages.Enable(Device, 1_700_000_000_000);
        yield return new DeviceRegistryMessages.Rotate(Device, new string('2', 64), 1_700_000_000_000, "/var/lib/iotsync/mirror_ssh_key.dev.1", new CertificatePin(new string('a', 64), 1_800_000_000_000));
        yield return new DeviceRegistryMessages.DeviceChanged(rotated.Listing);
        yield return new DeviceRegistryMessages.ChangeRefused("not enrolled");
        yield return new DeviceRegistryMessages.DeviceDisabled(Device, 1_700_000_000_000);
        yield return new DeviceRegistryMessages.DeviceEnabled(Device, 1_700_000_000_000);
        yield return new DeviceRegistryMessages.CredentialsRotated(Device, new string('2', 64), 1_700_000_000_000, "/var/lib/iotsync/mirror_ssh_key.dev.1",
            new CertificatePin(new string('a', 64), 1_800_000_000_000));
        yield return new ExecRequest(["uname", "-a"], "operator");
        yield return new ExecReply(set, result);
        yield return SyncSessionRequest.Instance;
        yield return new Mirror.Reverse.RelayArrival(Device);
        yield return new ControlError("no");
        yield return DeviceStatusRequest.Instance;
        yield return new DeviceStatusReply(Device.Value, new NetworkTogglerMessages.CycleStatus("dark", 3, TimeSpan.FromSeconds(30),
            [new NetworkTogglerMessages.WindowClosed(3, TimeSpan.FromMilliseconds(41.5), TimeSpan.FromMilliseconds(2), "synced")]),
            view, 1_700_000_000_000, 1, [new NamedValue("ı", "İ")])
        {
            Refusals = [new RefusalCount("relay-outside-window", 2)], LastMirror = "10.0.0.2:4053", LastMirrorAnsweredUnixMs = 1_700_000_000_000,
        };
        yield return new Heartbeat(Device, logs.DeviceLog, logs.MirrorLog, view.StateDigest, 1_700_000_000_000, 30_000, window, new string('a', 32), new string('b', 64));
        yield return new HeartbeatAck(Device, HeartbeatAction.Sync, "session-9", logs.MirrorLog, 1_700_000_000_500, "", new string('a', 32), new string('c', 64));
        yield return new SessionAbandoned(Device, "session-9", "SshTransportException: connecting to 10.0.0.7:22 took longer than 10 s", new string('d', 64));
        yield return LogHolderMessages.GetView.Instance;
        yield return LogHolderMessages.GetState.Instance;
        yield return new LogHolderMessages.ReadLog(Origin.Device, 1, 10);
        yield return new LogHolderMessages.LogRange([result]);
        yield return LogHolderMessages.AppendAnswer.Of(check, view);
        yield return new CommandRecorderMessages.RecordCommand(["ls", "-l"], "operator");
        yield return new CommandRecorderMessages.CommandCompleted(set, null);
        yield return new CommandRecorderMessages.AppendMirrorEntries([command]);
        yield return new StateJournalMessages.SubmitCommand(Device, ["ls"], "app", null);
        yield return new StateJournalMessages.CancelCommand(Device, 1, "app");
        yield return new StateJournalMessages.Submitted(cancel);
        yield return new StateJournalMessages.SubmitRefused("too big");
        yield return new StateJournalMessages.AppendDeviceEntries(Device, [result]);
        yield return new StateJournalMessages.ConfirmDelivery(Device, mirrorLog.After(command));
        yield return new StateJournalMessages.MarkDiverged(Device, Origin.Device, Verdict.Fork, 3, "fork");
        yield return StateJournalMessages.Acknowledged.Instance;
        yield return new StateJournalMessages.GetCommandStatus(Device, 1);
        yield return new StateJournalMessages.CommandStatusReply(1, CommandStatus.Resolved, command, result);
        yield return new StateJournalMessages.GetWindows(Device, 10);
        yield return new StateJournalMessages.WindowList(windows.WindowCount, windows.Recent);
        yield return new StateJournalMessages.RecordHeartbeat(Device, heartbeatRecorded);
        yield return new StateJournalMessages.RecordSession(Device, session);
        yield return new StateJournalMessages.GetSyncView(Device);
        yield return new StateJournalMessages.GetJournalState(Device);
        yield return new StateJournalMessages.ReadLogRange(Device, Origin.Mirror, 1, 10);
        var token = new ApiTokenName("ci-deploy");
        yield return new ApiTokenEvents.TokenCreated(token, ApiRole.Operate, Sha256Hash.Of("iotsync_sample"u8), 1_700_000_000_000, 1_700_086_400_000,
            Sha256Hash.Of("chain"u8));
        yield return new ApiTokenEvents.TokenRevoked(token, 1_700_000_100_000, Sha256Hash.Of("chain 2"u8));
        var journalState = new StateJournalState(logs, 1, new StateJournalEvents.DivergenceDetected(Origin.Mirror, Verdict.Fork, 1, "x", 5), windows);
        yield return DeviceSummary.Of(journalState) with { Corruption = "the hash of device entry 2 is wrong", Mismatch = "digest 1 vs 2" };
        yield return Mirror.Cluster.ClusterEventRelayMessages.RelayedJournalWritten.Of(new JournalWritten(Device, new EntryAppended(command), view));
        yield return Mirror.Cluster.ClusterEventRelayMessages.RelayedWindowRecorded.Of(new WindowRecorded(Device, session));
        yield return Mirror.Cluster.ClusterEventRelayMessages.RelayedHealthChanged.Of(new HealthChanged(Device, "ok", "late", 1_700_000_000_000, "no heartbeat for 125 s"));
    }
}
