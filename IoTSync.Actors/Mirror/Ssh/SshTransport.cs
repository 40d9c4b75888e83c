using System.Diagnostics;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// Opens the mirror's SSH session to a device's OpenSSH server (SSH.NET): key authentication
/// only, the host key pinned to the enrolled fingerprint, and the sync command's stdin and stdout
/// as an <see cref="Sync.IExchangeChannel"/>. A reverse-mode device opens its session to the mirror
/// host's sshd with the same code, its own key and the mirror host's key pinned, and serves the
/// exchange over <see cref="SshExchangeSession.FromRemote"/> and <see cref="SshExchangeSession.ToRemote"/>.
/// </summary>
public static class SshTransport
{
    /// <summary>
    /// Connects, checks the host key, authenticates with the key and starts the remote command.
    /// Throws <see cref="HostKeyMismatchException"/>, <see cref="SshAuthenticationFailedException"/>
    /// or <see cref="SshTransportException"/>; on a wrong host key nothing is authenticated or run.
    /// </summary>
    public static async Task<SshExchangeSession> Open(SshTransportSettings settings, CancellationToken cancellationToken)
    {
        var key = LoadKey(settings);
        var authentication = new PrivateKeyAuthenticationMethod(settings.User, key);
        SshClient? client = null;
        SshCommand? command = null;
        try
        {
            var connection = BuildConnectionInfo(settings, authentication);
            client = new SshClient(connection);
            var watch = new OpeningWatch(client, settings.HostKey);
            await Connect(client, watch, settings, cancellationToken);
            var authenticated = watch.Elapsed;
            command = client.CreateCommand(settings.RemoteCommand);
            var execution = await StartCommand(command, settings, authenticated, cancellationToken);
            var timings = new SshConnectTimings(watch.Identified, watch.Verified, authenticated, watch.Elapsed);
            return new SshExchangeSession(settings, client, command, execution, InputOf(command, execution), [authentication, key], timings,
                connection.CurrentKeyExchangeAlgorithm ?? "", connection.CurrentHostKeyAlgorithm ?? "", connection.ServerVersion ?? "");
        }
        catch
        {
            command?.Dispose();
            client?.Dispose();
            authentication.Dispose();
            key.Dispose();
            throw;
        }
    }

    /// <summary>TCP connect, key exchange with the host key checked, and key authentication, within the connect timeout.</summary>
    private static async Task Connect(SshClient client, OpeningWatch watch, SshTransportSettings settings, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(settings);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.ConnectTimeout);
        watch.Start();
        try
        {
            await client.ConnectAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (Exception e) when (watch.Mismatch is { } m)
        {
            throw new HostKeyMismatchException(endpoint, settings.HostKey, m.Fingerprint, m.Algorithm, e);
        }
        catch (SshAuthenticationException e)
        {
            throw new SshAuthenticationFailedException(
                $"{endpoint} refused {settings.KeyOwner} key {settings.PrivateKeyPath} for user {settings.User}: {e.Message}", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SshTransportException($"connecting to {endpoint} took longer than {settings.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (SshOperationTimeoutException e)
        {
            throw new SshTransportException($"connecting to {endpoint} took longer than {settings.ConnectTimeout.TotalSeconds:0.###} s", e);
        }
        catch (Exception e) when (e is SocketException or SshException or IOException or ProxyException)
        {
            throw new SshTransportException($"cannot open an SSH session to {endpoint}: {e.Message}", e);
        }
    }

    /// <summary>Starts the remote command in what is left of the connect timeout; the returned task is its execution.</summary>
    private static async Task<Task> StartCommand(SshCommand command, SshTransportSettings settings, TimeSpan authenticated, CancellationToken cancellationToken)
    {
        try
        {
            // ExecuteAsync opens the channel and waits for the exec reply synchronously.
            var remaining = settings.ConnectTimeout - authenticated;
            return await Task.Run<Task>(() => command.ExecuteAsync(CancellationToken.None), cancellationToken)
                .WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
        }
        catch (TimeoutException e)
        {
            throw new SshTransportException($"{Endpoint(settings)} did not start '{settings.RemoteCommand}' within the connect timeout", e);
        }
        catch (Exception e) when (e is SshException or IOException)
        {
            throw new SshTransportException($"{Endpoint(settings)} did not start '{settings.RemoteCommand}': {e.Message}", e);
        }
    }

    private static Stream InputOf(SshCommand command, Task execution)
    {
        try
        {
            return command.CreateInputStream();
        }
        catch (InvalidOperationException) when (execution.IsCompleted)
        {
            // The command ended at once (SSH.NET then refuses an input stream); the first request reports how.
            return Stream.Null;
        }
    }

    private static string Endpoint(SshTransportSettings settings) => $"{settings.Host}:{settings.Port}";

    /// <summary>What SSH.NET is told: the one key method, the host-key offer without certificates, the chosen key exchanges.</summary>
    internal static ConnectionInfo BuildConnectionInfo(SshTransportSettings settings, PrivateKeyAuthenticationMethod authentication)
    {
        var connection = new ConnectionInfo(settings.Host, settings.Port, settings.User, authentication)
        {
            Timeout = settings.ConnectTimeout,
            ChannelCloseTimeout = settings.CloseTimeout,
        };
        // The pin is a plain key's fingerprint; a certificate offer would only make a matching key fail.
        foreach (var algorithm in connection.HostKeyAlgorithms.Keys.Where(a => a.Contains("-cert-", StringComparison.Ordinal)).ToList())
            connection.HostKeyAlgorithms.Remove(algorithm);
        if (!settings.KeyExchangeAlgorithms.IsDefaultOrEmpty)
        {
            var known = connection.KeyExchangeAlgorithms.ToList();
            var unknown = settings.KeyExchangeAlgorithms.Where(a => known.All(k => k.Key != a)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException(
                    $"unknown key exchange algorithm(s) {string.Join(", ", unknown)}; SSH.NET knows {string.Join(", ", known.Select(k => k.Key))}");
            connection.KeyExchangeAlgorithms.Clear();
            foreach (var name in settings.KeyExchangeAlgorithms.Distinct())
                connection.KeyExchangeAlgorithms.Add(name, known.First(k => k.Key == name).Value);
        }
        return connection;
    }

    private static PrivateKeyFile LoadKey(SshTransportSettings settings)
    {
        try
        {
            return new PrivateKeyFile(settings.PrivateKeyPath, settings.PrivateKeyPassphrase);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SshException or ArgumentException or InvalidOperationException)
        {
            throw new SshTransportException($"cannot read {settings.KeyOwner} private key {settings.PrivateKeyPath}: {e.Message}", e);
        }
    }

    private sealed record HostKeyMismatch(HostKeyFingerprint Fingerprint, string Algorithm);

    /// <summary>Times the steps of opening from the start of the TCP connect, and checks the offered host key against the pin.</summary>
    private sealed class OpeningWatch
    {
        private readonly Stopwatch _stopwatch = new();

        public OpeningWatch(SshClient client, HostKeyFingerprint pinned)
        {
            client.ServerIdentificationReceived += (_, _) => Identified = _stopwatch.Elapsed;
            // Without this handler SSH.NET trusts any host key (CanTrust starts true).
            client.HostKeyReceived += (_, e) =>
            {
                var received = HostKeyFingerprint.TryParse("SHA256:" + e.FingerPrintSHA256, out var printed, out string _)
                    ? printed
                    : HostKeyFingerprint.OfKey(e.HostKey);
                e.CanTrust = received.Equals(pinned);
                if (e.CanTrust)
                    Verified = _stopwatch.Elapsed;
                else
                    Mismatch = new HostKeyMismatch(received, e.HostKeyName);
            };
        }

        public TimeSpan Identified { get; private set; }

        public TimeSpan Verified { get; private set; }

        /// <summary>The key the server offered when it was not the pinned one.</summary>
        public HostKeyMismatch? Mismatch { get; private set; }

        public TimeSpan Elapsed => _stopwatch.Elapsed;

        public void Start() => _stopwatch.Start();
    }
}
