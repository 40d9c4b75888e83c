using System.Diagnostics;
using System.Net.Sockets;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace IoTSync.Mirror.Ssh;

/// <summary>
/// How long the steps of opening a session took, each counted from the start of the TCP connect:
/// the server's version line, the host key checked against the pin (end of key exchange),
/// authentication done, and the remote command accepted.
/// </summary>
public sealed record SshConnectTimings(TimeSpan ServerIdentified, TimeSpan HostKeyVerified, TimeSpan Authenticated, TimeSpan CommandStarted)
{
    /// <summary>TCP connect, key exchange and key authentication: the figure a sync window pays first.</summary>
    public TimeSpan ConnectAndAuthenticate => Authenticated;
}

/// <summary>
/// Opens the mirror's SSH session to a device's OpenSSH server (SSH.NET): key authentication
/// only, the host key pinned to the enrolled fingerprint, and the sync command's stdin and stdout
/// as an <see cref="Sync.IExchangeChannel"/>.
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
        var endpoint = $"{settings.Host}:{settings.Port}";
        var key = LoadKey(settings);
        var authentication = new PrivateKeyAuthenticationMethod(settings.User, key);
        SshClient? client = null;
        SshCommand? command = null;
        var opened = false;
        try
        {
            var connection = BuildConnectionInfo(settings, authentication);
            client = new SshClient(connection);
            var stopwatch = new Stopwatch();
            var identified = TimeSpan.Zero;
            var verified = TimeSpan.Zero;
            HostKeyMismatch? mismatch = null;
            client.ServerIdentificationReceived += (_, _) => identified = stopwatch.Elapsed;
            // Without this handler SSH.NET trusts any host key (CanTrust starts true).
            client.HostKeyReceived += (_, e) =>
            {
                var received = HostKeyFingerprint.TryParse("SHA256:" + e.FingerPrintSHA256, out var printed, out string _)
                    ? printed
                    : HostKeyFingerprint.OfKey(e.HostKey);
                e.CanTrust = received.Equals(settings.HostKey);
                if (e.CanTrust)
                    verified = stopwatch.Elapsed;
                else
                    mismatch = new HostKeyMismatch(received, e.HostKeyName);
            };

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.ConnectTimeout);
            stopwatch.Start();
            try
            {
                await client.ConnectAsync(timeout.Token).WaitAsync(timeout.Token);
            }
            catch (Exception e) when (mismatch is { } m)
            {
                throw new HostKeyMismatchException(endpoint, settings.HostKey, m.Fingerprint, m.Algorithm, e);
            }
            catch (SshAuthenticationException e)
            {
                throw new SshAuthenticationFailedException(
                    $"{endpoint} refused the mirror's key {settings.PrivateKeyPath} for user {settings.User}: {e.Message}", e);
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
            var authenticated = stopwatch.Elapsed;

            command = client.CreateCommand(settings.RemoteCommand);
            var started = command;
            Task execution;
            try
            {
                // ExecuteAsync opens the channel and waits for the exec reply synchronously.
                var remaining = settings.ConnectTimeout - authenticated;
                execution = await Task.Run<Task>(() => started.ExecuteAsync(CancellationToken.None), cancellationToken)
                    .WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken);
            }
            catch (TimeoutException e)
            {
                throw new SshTransportException($"{endpoint} did not start '{settings.RemoteCommand}' within the connect timeout", e);
            }
            catch (Exception e) when (e is SshException or IOException)
            {
                throw new SshTransportException($"{endpoint} did not start '{settings.RemoteCommand}': {e.Message}", e);
            }
            var timings = new SshConnectTimings(identified, verified, authenticated, stopwatch.Elapsed);
            Stream input;
            try
            {
                input = command.CreateInputStream();
            }
            catch (InvalidOperationException) when (execution.IsCompleted)
            {
                // The command ended at once (SSH.NET then refuses an input stream); the first request reports how.
                input = Stream.Null;
            }
            var session = new SshExchangeSession(settings, client, command, execution, input, [authentication, key], timings,
                connection.CurrentKeyExchangeAlgorithm ?? "", connection.CurrentHostKeyAlgorithm ?? "", connection.ServerVersion ?? "");
            opened = true;
            return session;
        }
        finally
        {
            if (!opened)
            {
                command?.Dispose();
                client?.Dispose();
                authentication.Dispose();
                key.Dispose();
            }
        }
    }

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
            throw new SshTransportException($"cannot read the mirror's private key {settings.PrivateKeyPath}: {e.Message}", e);
        }
    }

    private sealed record HostKeyMismatch(HostKeyFingerprint Fingerprint, string Algorithm);
}
