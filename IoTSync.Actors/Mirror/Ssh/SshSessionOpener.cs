using IoTSync.Sync;

namespace IoTSync.Mirror.Ssh;

/// <summary>The replicator's production opener: SSH to the enrolled endpoint, the host key pinned at enrolment, with the device's own mirror key since a rotation.</summary>
public sealed class SshSessionOpener(string privateKeyPath, TimeSpan connectTimeout, System.Collections.Immutable.ImmutableArray<string> keyExchange = default) : IDeviceSessionOpener
{
    public async Task<IDeviceSession> Open(DeviceListing device, CancellationToken cancellationToken)
    {
        var key = device.MirrorKeyFile.Length > 0 ? device.MirrorKeyFile : privateKeyPath;
        var settings = new SshTransportSettings(device.SshHost, device.SshPort, device.SshUser, key, device.HostKeyFingerprint)
        {
            ConnectTimeout = connectTimeout,
            KeyExchangeAlgorithms = keyExchange.IsDefault ? [] : keyExchange,
        };
        return new Session(await SshTransport.Open(settings, cancellationToken));
    }

    private sealed class Session(SshExchangeSession session) : IDeviceSession
    {
        public IExchangeChannel Channel => session.Channel;

        public string Opening => string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"banner {session.Timings.ServerIdentified.TotalMilliseconds:0}, host key {session.Timings.HostKeyVerified.TotalMilliseconds:0}, " +
            $"authenticated {session.Timings.Authenticated.TotalMilliseconds:0}, command started {session.Timings.CommandStarted.TotalMilliseconds:0} ms; " +
            $"{session.KeyExchangeAlgorithm}, {session.HostKeyAlgorithm}");

        public ValueTask DisposeAsync() => session.DisposeAsync();
    }
}
