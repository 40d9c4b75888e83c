using System.Collections.Immutable;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Journal;
using IoTSync.Model;
using static IoTSync.Journal.LogHolderMessages;
using static IoTSync.Mirror.StateJournalEvents;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Mirror;

/// <summary>Settings of each device's <see cref="StateJournal"/>.</summary>
public sealed record StateJournalSettings(int MaxOpenCommands, int MaxCommandBytes, LogHolderSettings Journal)
{
    public static StateJournalSettings Default { get; } = new(10_000, 64 * 1024, LogHolderSettings.Default);

    /// <summary>Reads <c>iotsync.mirror</c> and <c>iotsync.persistence</c>.</summary>
    public static StateJournalSettings FromConfig(Config root)
    {
        var mirror = root.GetConfig("iotsync.mirror") ?? throw new ConfigurationException("missing section iotsync.mirror");
        var maxOpen = mirror.GetInt("max-open-commands", 0);
        var maxBytes = mirror.GetInt("max-command-bytes", 0);
        if (maxOpen < 1)
            throw new ConfigurationException("iotsync.mirror.max-open-commands must be 1 or more");
        if (maxBytes < 1)
            throw new ConfigurationException("iotsync.mirror.max-command-bytes must be 1 or more");
        return new StateJournalSettings(maxOpen, maxBytes, IoTSyncSystem.LogHolderSettings(root));
    }
}

/// <summary>
/// The mirror's persistent actor for one device and the sole writer of that device's mirror log.
/// Holds the replica of the device log, the model over both, how far the device confirmed the
/// mirror log (pending → delivered), and whether the device diverged. Entries stay in the
/// journal; status questions about resolved commands are answered by reading it back.
/// </summary>
public sealed class StateJournal : LogHoldingActor
{
    public const string PersistenceIdPrefix = "state-journal-";

    private readonly DeviceId _device;
    private readonly StateJournalSettings _settings;
    private readonly HybridLogicalClock _clock;
    private StateJournalState _state;

    public StateJournal(DeviceId device, StateJournalSettings settings, IWallClock wall) : base(settings.Journal)
    {
        _device = device;
        _settings = settings;
        _clock = new HybridLogicalClock(wall);
        _state = StateJournalState.Empty(device);

        Recover<SnapshotOffer>(offer => _state = (StateJournalState)offer.Snapshot);
        Recover<EntryAppended>(appended => _state = _state.Apply(appended, LastSequenceNr));
        Recover<DeliveryConfirmed>(confirmed => _state = _state.Apply(confirmed, LastSequenceNr));
        Recover<DivergenceDetected>(diverged => _state = _state.Apply(diverged, LastSequenceNr));
        Recover<HeartbeatRecorded>(heartbeat => _state = _state.Apply(heartbeat, LastSequenceNr));
        Recover<SessionRecorded>(session => _state = _state.Apply(session, LastSequenceNr));
        Recover<RecoveryCompleted>(_ =>
        {
            _clock.Observe(_state.Logs.LatestTimestamp);
            Log.Info("[{0}] recovered: mirror log {1}, device log {2}, delivered through {3}{4}",
                _device, _state.Logs.MirrorLog, _state.Logs.DeviceLog, _state.DeliveredThrough, _state.IsDiverged ? ", DIVERGED" : "");
        });

        Command<SubmitCommand>(HandleSubmit);
        Command<CancelCommand>(HandleCancel);
        Command<AppendDeviceEntries>(HandleAppend);
        Command<ConfirmDelivery>(HandleConfirmDelivery);
        Command<MarkDiverged>(HandleMarkDiverged);
        Command<GetCommandStatus>(HandleGetCommandStatus);
        Command<HeartbeatRecorded>(RecordWindowEvent);
        Command<SessionRecorded>(RecordWindowEvent);
        Command<GetWindows>(query => Sender.Tell(new WindowList(_state.History.WindowCount, _state.History.Last(query.Last))));
    }

    public static Props Props(DeviceId device, StateJournalSettings settings, IWallClock wall) =>
        Akka.Actor.Props.Create(() => new StateJournal(device, settings, wall));

    public override string PersistenceId => PersistenceIdPrefix + _device.Value;

    protected override string DeviceLabel => _device.Value;

    protected override object SnapshotState => _state;

    protected override LogPair Logs => _state.Logs;

    private void HandleSubmit(SubmitCommand submit)
    {
        if (RefusalOf(submit) is { } reason)
        {
            Log.Warning("[{0}] refused command from {1}: {2}", _device, submit.Issuer, reason);
            Sender.Tell(new SubmitRefused(reason));
            return;
        }
        var entry = LogEntry.NewCommand(_state.Logs.MirrorLog, Origin.Mirror, _clock.Now(), submit.Issuer, submit.Argv, submit.NotAfterUnixMs);
        WriteOwnEntry(entry);
    }

    private string? RefusalOf(SubmitCommand submit)
    {
        if (submit.Argv.IsDefaultOrEmpty)
            return "a command is a non-empty argument vector";
        if (submit.Argv.Any(a => a.Contains('\0')))
            return "an argument contains a NUL character";
        var size = submit.Argv.Sum(a => Encoding.UTF8.GetByteCount(a));
        if (size > _settings.MaxCommandBytes)
            return $"command is {size} bytes; the limit is {_settings.MaxCommandBytes}";
        if (string.IsNullOrWhiteSpace(submit.Issuer))
            return "issuer is empty";
        if (PropertyCommand.IsDeviceCommand(submit.Argv) && _state.Logs.Model.OpenCommands.Count >= _settings.MaxOpenCommands)
            return $"{_state.Logs.Model.OpenCommands.Count} commands are already open for this device; the limit is {_settings.MaxOpenCommands}";
        return null;
    }

    private void HandleCancel(CancelCommand cancel)
    {
        var target = new CommandRef(Origin.Mirror, cancel.Sequence);
        if (!_state.Logs.Model.OpenCommands.TryGetValue(target, out var open))
        {
            Sender.Tell(new SubmitRefused($"mirror entry {cancel.Sequence} is not an open device command"));
            return;
        }
        if (open.CancelRequested)
        {
            Sender.Tell(new SubmitRefused($"mirror command {cancel.Sequence} is already being cancelled"));
            return;
        }
        WriteOwnEntry(LogEntry.NewCancel(_state.Logs.MirrorLog, _clock.Now(), cancel.Issuer, cancel.Sequence));
    }

    private void WriteOwnEntry(LogEntry entry)
    {
        var caller = Sender;
        Persist(new EntryAppended(entry), appended =>
        {
            Apply(appended);
            Log.Info("[{0}] wrote mirror entry {1} ({2}) for {3}", _device, entry.Sequence, entry.Kind, entry.Issuer);
            caller.Tell(new Submitted(entry));
        });
    }

    private void HandleAppend(AppendDeviceEntries append)
    {
        var check = _state.Logs.Check(Origin.Device, append.Entries);
        var replyTo = Sender;
        if (check.IsRejection)
        {
            Log.Warning("[{0}] ALERT refused device entries: {1}", _device, check);
            replyTo.Tell(AppendAnswer.Of(check, _state.Logs.View));
            return;
        }
        PersistAll(check.NewEntries.Select(e => new EntryAppended(e)), appended =>
        {
            Apply(appended);
            _clock.Observe(appended.Entry.Timestamp);
        });
        DeferAsync(check, _ =>
        {
            if (check.NewEntries.Count > 0)
                Log.Info("[{0}] stored device entries {1}..{2}", _device, check.NewEntries[0].Sequence, check.NewEntries[^1].Sequence);
            replyTo.Tell(AppendAnswer.Of(check, _state.Logs.View));
        });
    }

    private void HandleConfirmDelivery(ConfirmDelivery confirm)
    {
        var length = Math.Min(confirm.MirrorLog.Length, _state.Logs.MirrorLog.Length);
        if (length <= _state.DeliveredThrough)
        {
            Sender.Tell(Acknowledged.Instance);
            return;
        }
        var caller = Sender;
        Persist(new DeliveryConfirmed(length), confirmed =>
        {
            Apply(confirmed);
            caller.Tell(Acknowledged.Instance);
        });
    }

    private void HandleMarkDiverged(MarkDiverged mark)
    {
        var caller = Sender;
        Log.Error("[{0}] ALERT device diverged in the {1} log: {2} at {3}: {4}; syncing stops until an operator acts",
            _device, mark.Log, mark.Verdict, mark.Sequence, mark.Detail);
        Persist(new DivergenceDetected(mark.Log, mark.Verdict, mark.Sequence, mark.Detail, _clock.Now().WallMs), diverged =>
        {
            Apply(diverged);
            caller.Tell(Acknowledged.Instance);
        });
    }

    /// <summary>Window history: persisted as told (it is the mirror's own record, not a log entry), then acknowledged.</summary>
    private void RecordWindowEvent(object windowEvent)
    {
        var caller = Sender;
        Persist(windowEvent, recorded =>
        {
            Apply(recorded);
            Log.Debug("[{0}] recorded {1}", _device, recorded);
            caller.Tell(Acknowledged.Instance);
        });
    }

    private void HandleGetCommandStatus(GetCommandStatus query)
    {
        var status = _state.StatusOf(query.Sequence);
        if (status == CommandStatus.Unknown)
        {
            Sender.Tell(new CommandStatusReply(query.Sequence, status, null, null));
            return;
        }
        var logs = _state.Logs;
        var target = new CommandRef(Origin.Mirror, query.Sequence);
        var commandRead = ReadLog(Origin.Mirror, query.Sequence, 1);
        // FindResult reads on after an await, off the actor's thread: commandRead above created the reader here.
        var resultRead = status == CommandStatus.Resolved
            ? FindResult(logs, target)
            : Task.FromResult<LogEntry?>(null);
        Task.WhenAll(commandRead, resultRead).ContinueWith(_ =>
        {
            var command = commandRead.Result.Single();
            var resolved = status == CommandStatus.Resolved && (command.Kind != EntryKind.Command || !PropertyCommand.IsDeviceCommand(command.Argv))
                ? CommandStatus.Applied
                : status;
            return new CommandStatusReply(query.Sequence, resolved, command, resultRead.Result);
        }, TaskContinuationOptions.ExecuteSynchronously).PipeTo(Sender);
    }

    /// <summary>A resolved outcome lives only in the device log: scan the replica for the result entry.</summary>
    private async Task<LogEntry?> FindResult(LogPair logs, CommandRef target)
    {
        const int page = 1024;
        for (long from = 1; from <= logs.DeviceLog.Length; from += page)
        {
            var entries = await ReadLog(Origin.Device, from, page, logs);
            var result = entries.FirstOrDefault(e => e.Kind == EntryKind.Result && e.Target == target);
            if (result is not null)
                return result;
        }
        return null;
    }

    private void Apply(object @event)
    {
        _state = _state.Apply(@event, LastSequenceNr);
        SnapshotIfDue();
    }
}
