using System.Diagnostics;
using System.Text;
using IoTSync.Protocol;
using IoTSync.Sync;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// One open SSH session to a device running the sync command: <see cref="Channel"/> carries the
/// exchange over the command's stdin and stdout. Closing sends end-of-input, waits (bounded) for
/// the command to exit, then disconnects; closing twice is harmless.
/// </summary>
public sealed class SshExchangeSession : IAsyncDisposable
{
    private const int ErrorOutputCap = 4096;
    private readonly SshTransportSettings _settings;
    private readonly SshClient _client;
    private readonly SshCommand _command;
    private readonly Task _execution;
    private readonly IDisposable[] _owned;
    private readonly Stream _input;
    private readonly Lock _gate = new();
    private Task<SshSessionEnd>? _closing;

    internal SshExchangeSession(SshTransportSettings settings, SshClient client, SshCommand command, Task execution, Stream input,
        IDisposable[] owned, SshConnectTimings timings, string keyExchangeAlgorithm, string hostKeyAlgorithm, string serverVersion)
    {
        _settings = settings;
        _client = client;
        _command = command;
        _execution = execution;
        _owned = owned;
        _input = input;
        Timings = timings;
        KeyExchangeAlgorithm = keyExchangeAlgorithm;
        HostKeyAlgorithm = hostKeyAlgorithm;
        ServerVersion = serverVersion;
        Channel = new SshExchangeChannel(this, new StreamExchangeChannel(_input, command.OutputStream, settings.MaxFrameBytes));
    }

    /// <summary>The exchange's request-and-answer channel over the remote command's stdin and stdout.</summary>
    public IExchangeChannel Channel { get; }

    public SshConnectTimings Timings { get; }

    /// <summary>
    /// The remote command's stdout, for the side that answers rather than asks (a reverse-mode device,
    /// reading the mirror's requests through the relay); not for use beside <see cref="Channel"/>.
    /// </summary>
    public Stream FromRemote => _command.OutputStream;

    /// <summary>The remote command's stdin, for the answering side (see <see cref="FromRemote"/>).</summary>
    public Stream ToRemote => _input;

    /// <summary>The host key found, which is the pinned one (any other aborts <see cref="SshTransport.Open"/>).</summary>
    public HostKeyFingerprint HostKey => _settings.HostKey;

    public string KeyExchangeAlgorithm { get; }

    public string HostKeyAlgorithm { get; }

    public string ServerVersion { get; }

    public string Endpoint => $"{_settings.Host}:{_settings.Port}";

    internal bool IsClosing => Volatile.Read(ref _closing) is not null;

    /// <summary>Ends the session within about the close timeout; never throws.</summary>
    public Task<SshSessionEnd> Close()
    {
        lock (_gate)
            return _closing ??= CloseOnce();
    }

    public async ValueTask DisposeAsync() => await Close();

    private async Task<SshSessionEnd> CloseOnce()
    {
        var stopwatch = Stopwatch.StartNew();
        // SSH.NET sends end-of-input only for a stream that carried data; otherwise the disconnect ends the command.
        var wroteInput = Quietly(() => _input.Position) > 0;
        Quietly(_input.Dispose);
        var endedInTime = _execution.IsCompleted || (wroteInput && await Completes(_execution, _settings.CloseTimeout));
        var end = new SshSessionEnd(_command.ExitStatus, _command.ExitSignal, ErrorOutput(), endedInTime);
        var teardown = Task.Run(() =>
        {
            Quietly(_client.Disconnect);
            _command.Dispose();
            _client.Dispose();
            foreach (var owned in _owned)
                owned.Dispose();
        });
        var left = _settings.CloseTimeout - stopwatch.Elapsed;
        await Completes(teardown, left > TimeSpan.FromMilliseconds(500) ? left : TimeSpan.FromMilliseconds(500));
        return end;
    }

    /// <summary>Why a request failed, with the remote command's exit and stderr when it has ended.</summary>
    internal async Task<Exception> Describe(ExchangeMessage request, Exception failure)
    {
        var grace = _settings.CloseTimeout < TimeSpan.FromSeconds(1) ? _settings.CloseTimeout : TimeSpan.FromSeconds(1);
        if (!await Completes(_execution, grace))
            return new SshTransportException($"SSH session to {Endpoint} failed while sending {request.GetType().Name}: {failure.Message}", failure);
        var how = _command.ExitSignal is { } signal ? $"signal {signal}" : _command.ExitStatus is { } status ? $"exit {status}" : "no exit status";
        var stderr = ErrorOutput();
        return new SshTransportException(
            $"'{_settings.RemoteCommand}' on {Endpoint} ended ({how}) instead of answering {request.GetType().Name}" +
            (stderr.Length > 0 ? $": {stderr}" : ""), failure);
    }

    /// <summary>What stderr holds so far, without waiting for more.</summary>
    private string ErrorOutput() => Quietly(() =>
    {
        var stream = _command.ExtendedOutputStream;
        var available = (int)Math.Min(stream.Length, ErrorOutputCap);
        if (available <= 0)
            return "";
        var buffer = new byte[available];
        var read = stream.Read(buffer, 0, available);
        return Encoding.UTF8.GetString(buffer, 0, read).Trim();
    }) ?? "";

    private static async Task<bool> Completes(Task task, TimeSpan within)
    {
        try
        {
            await task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception) when (task.IsCompleted)
        {
            // The command failed or was cut; it has ended all the same.
        }
        return true;
    }

    private static void Quietly(Action action) => Quietly(() =>
    {
        action();
        return 0;
    });

    private static T? Quietly<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is SshException or IOException or ObjectDisposedException or InvalidOperationException
                                   or NotSupportedException or System.Net.Sockets.SocketException)
        {
            return default;
        }
    }
}
