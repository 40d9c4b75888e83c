using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using IoTSync.Model;
using IoTSync.Protocol;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Mirror;

/// <summary>
/// The enrolled devices: SSH endpoint, pinned host key, heartbeat key. Persistent, one per mirror
/// node; its current state is also published to <see cref="DeviceKeyCache"/> so the heartbeat
/// listener can look keys up without a round trip.
/// </summary>
public sealed partial class DeviceRegistry : ReceivePersistentActor
{
    public const string Id = "device-registry";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DeviceKeyCache _cache;
    private RegistryState _state = RegistryState.Empty;

    public DeviceRegistry(DeviceKeyCache cache)
    {
        _cache = cache;
        Recover<SnapshotOffer>(offer => _state = (RegistryState)offer.Snapshot);
        Recover<DeviceEnrolled>(enrolled => _state = _state.Apply(enrolled));
        Recover<RecoveryCompleted>(_ => _cache.Replace(_state));

        Command<Enrol>(enrol =>
        {
            if (Problem(enrol.Device) is { } problem)
            {
                Sender.Tell(new EnrolRefused(problem));
                return;
            }
            var caller = Sender;
            Persist(new DeviceEnrolled(enrol.Device), enrolled =>
            {
                _state = _state.Apply(enrolled);
                _cache.Replace(_state);
                _log.Info("[{0}] enrolled: ssh {1}@{2}:{3}, host key {4}", enrol.Device.Device, enrol.Device.SshUser,
                    enrol.Device.SshHost, enrol.Device.SshPort, enrol.Device.HostKeyFingerprint);
                caller.Tell(new Enrolled(enrol.Device));
            });
        });
        Command<ListDevices>(_ => Sender.Tell(new Devices([.. _state.ById.Values])));
    }

    public override string PersistenceId => Id;

    public static Props Props(DeviceKeyCache cache) => Akka.Actor.Props.Create(() => new DeviceRegistry(cache));

    /// <summary>Why the details cannot be enrolled, or null.</summary>
    public static string? Problem(EnrolledDevice device)
    {
        if (!Fingerprint().IsMatch(device.HostKeyFingerprint))
            return $"'{device.HostKeyFingerprint}' is not an OpenSSH SHA256 fingerprint (SHA256: and 43 base64 characters)";
        if (device.SshPort is < 1 or > 65535)
            return $"port {device.SshPort} is out of range";
        if (string.IsNullOrWhiteSpace(device.SshHost) || device.SshHost.Any(char.IsWhiteSpace))
            return "the SSH host is empty or has spaces";
        if (string.IsNullOrWhiteSpace(device.SshUser) || !UserName().IsMatch(device.SshUser))
            return $"'{device.SshUser}' is not a valid user name";
        if (device.HeartbeatKey.Length < HeartbeatAuthenticator.MinimumKeyBytes * 2 || !device.HeartbeatKey.All(Uri.IsHexDigit))
            return $"the heartbeat key must be at least {HeartbeatAuthenticator.MinimumKeyBytes} bytes of hex";
        return null;
    }

    [GeneratedRegex("^SHA256:[A-Za-z0-9+/]{43}$")]
    private static partial Regex Fingerprint();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();
}
