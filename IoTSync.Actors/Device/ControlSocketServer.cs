using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using IoTSync.Control;
using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Sync;
using static IoTSync.Device.CommandRecorderMessages;
using static IoTSync.Device.NetworkTogglerMessages;

namespace IoTSync.Device;

/// <summary>
/// The running device node's control socket: the <c>exec</c> CLI records and runs commands
/// through it, <c>status</c> reads the node, and <c>sync-endpoint</c> relays the mirror's SSH
/// session to the node's <see cref="CommandRecorder"/> — inside a window only (<see cref="SyncSessionAdmission"/>). When a sync session ends the
/// <see cref="NetworkToggler"/> hears of it, so the window can close at once.
/// </summary>
public sealed class ControlSocketServer : IAsyncDisposable
{
    public const string NodeName = "device node";

    private readonly DeviceId _device;
    private readonly IActorRef _recorder;
    private readonly IActorRef? _cycle;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter _log;
    private readonly Security.Refusals _refusals;
    private readonly DeviceSyncSession _sessions;
    private readonly LastSyncSession _lastSync;
    private readonly LastAnsweringMirror _lastMirror;
    private UnixSocketServer? _server;

    private ControlSocketServer(DeviceId device, IActorRef recorder, IActorRef? cycle, TimeSpan timeout, ILoggingAdapter log, Security.Refusals refusals,
        DeviceSyncSession sessions, LastSyncSession lastSync, LastAnsweringMirror lastMirror)
    {
        _lastSync = lastSync;
        _lastMirror = lastMirror;
        _refusals = refusals;
        _device = device;
        _recorder = recorder;
        _cycle = cycle;
        _timeout = timeout;
        _log = log;
        _sessions = sessions;
    }

    /// <summary>
    /// Listens on <paramref name="path"/>; <paramref name="cycle"/> is the NetworkToggler (none in tests of the socket alone);
    /// <paramref name="group"/> may connect besides the node's user (the sync account's group; empty for the owner alone);
    /// what it refuses is counted in <paramref name="refusals"/>, which its status replies carry; <paramref name="lastSync"/>
    /// is when the last sync session ended, by this socket or a reverse device's own dial (the node's parts hold it);
    /// <paramref name="lastMirror"/> is which mirror answered last (the heartbeat sender writes it).
    /// </summary>
    public static async Task<ControlSocketServer> Start(string path, DeviceId device, IActorRef recorder, ExchangeSettings exchange,
        TimeSpan timeout, ILoggingAdapter log, IActorRef? cycle = null, string group = "", Security.Refusals? refusals = null, LastSyncSession? lastSync = null,
        LastAnsweringMirror? lastMirror = null)
    {
        refusals ??= new Security.Refusals();
        lastSync ??= new LastSyncSession();
        var server = new ControlSocketServer(device, recorder, cycle, timeout, log, refusals,
            new DeviceSyncSession(device, recorder, exchange, timeout, log, refusals, SystemWallClock.Instance, lastSync), lastSync,
            lastMirror ?? new LastAnsweringMirror());
        server._server = await UnixSocketServer.Start(path, NodeName, server.Serve, group);
        return server;
    }

    private async Task Serve(NetworkStream stream, CancellationToken stopping)
    {
        try
        {
            switch (await FrameCodec.Read<ControlMessage>(stream, ControlConnection.MaxRequestBytes, stopping))
            {
                case ExecRequest exec:
                    var completed = await _recorder.Ask<CommandCompleted>(new RecordCommand(exec.Argv, exec.Issuer), _timeout, stopping);
                    await FrameCodec.Write(stream, new ExecReply(completed.Command, completed.Result), stopping);
                    break;
                case SyncSessionRequest:
                    if (await RefusalOutsideWindow(stopping) is { } refusal)
                    {
                        _refusals.Count(Security.Refusals.RelayOutsideWindow);
                        _log.Warning("[{0}] sync session refused: {1}", _device, refusal);
                        await FrameCodec.Write(stream, new ControlError($"refused: {refusal}"), stopping);
                        break;
                    }
                    await _sessions.Run(stream, stream, _cycle, "on the control socket", stopping);
                    break;
                case DeviceStatusRequest:
                    await FrameCodec.Write(stream, await Status(stopping), stopping);
                    break;
                case null:
                    break;
                case var other:
                    _refusals.Count(Security.Refusals.ControlMalformed);
                    await FrameCodec.Write(stream, new ControlError($"{other.GetType().Name} is not a request the {NodeName} serves"), stopping);
                    break;
            }
        }
        catch (FrameException e)
        {
            _refusals.Count(Security.Refusals.ControlMalformed);
            _log.Warning("[{0}] malformed request on the control socket: {1}", _device, e.Message);
            await ControlConnection.TryWrite(stream, new ControlError($"malformed request: {e.Message}"), stopping);
        }
        catch (Exception e) when (e is AskTimeoutException or ArgumentException or InvalidOperationException)
        {
            await ControlConnection.TryWrite(stream, new ControlError(e.Message), stopping);
        }
    }

    /// <summary>Why a sync session may not start now (<see cref="SyncSessionAdmission"/>), or null; always null without a cycle (the socket tested alone).</summary>
    private async Task<string?> RefusalOutsideWindow(CancellationToken stopping) =>
        _cycle is null ? null : SyncSessionAdmission.Refusal((await _cycle.Ask<CycleStatus>(GetCycleStatus.Instance, _timeout, stopping)).Phase);

    private async Task<DeviceStatusReply> Status(CancellationToken stopping)
    {
        // Down after a failed write, the recorder's supervisor answers at once with the fault, and so does status.
        var state = await _recorder.Ask<CommandRecorderState>(LogHolderMessages.GetState.Instance, _timeout, stopping);
        var journal = await _recorder.Ask<JournalSupervisorMessages.JournalHealth>(JournalSupervisorMessages.GetJournalHealth.Instance, _timeout, stopping);
        var cycle = _cycle is null
            ? new CycleStatus("not cycling", 0, TimeSpan.Zero, [])
            : await _cycle.Ask<CycleStatus>(GetCycleStatus.Instance, _timeout, stopping);
        var lastSync = _lastSync.EndedUnixMs;
        return new DeviceStatusReply(_device.Value, cycle, state.Logs.View, lastSync == 0 ? null : lastSync,
            state.Logs.Model.OpenCommands.Count, [.. state.Logs.Model.LiveProperties.Select(p => new NamedValue(p.Key, p.Value))])
        {
            Refusals = RefusalCount.From(_refusals),
            JournalFault = journal.Describe(),
            LastMirror = _lastMirror.Last?.Address,
            LastMirrorAnsweredUnixMs = _lastMirror.Last?.AnsweredUnixMs,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
    }
}
