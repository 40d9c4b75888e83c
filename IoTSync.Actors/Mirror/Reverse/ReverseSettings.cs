using Akka.Configuration;
using IoTSync.Configuration;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// <c>iotsync.mirror.reverse</c>: the session socket reverse devices' sessions arrive on (through sshd
/// and the relay on the mirror host), who may connect to it, the relay the printed authorized_keys lines
/// force, and how long an arrival is held for the replicator.
/// </summary>
public sealed record ReverseSettings(string SessionSocket, string SessionSocketGroup, string RelayCommand, TimeSpan ArrivalHold, TimeSpan ArrivalTimeout)
{
    /// <summary>The settings, or null when <c>session-socket</c> is empty: the mirror then serves no reverse sessions.</summary>
    public static ReverseSettings? FromConfig(Config root)
    {
        if (root.OptionalString("iotsync.mirror.reverse.session-socket").Length == 0)
            return null;
        var relay = root.RequireString("iotsync.mirror.reverse.relay-command");
        if (ReverseAuthorizedKeys.RelayCommandProblem(relay) is { } problem)
            throw new ConfigurationException($"iotsync.mirror.reverse.relay-command: {problem}");
        var settings = new ReverseSettings(
            root.RequirePath("iotsync.mirror.reverse.session-socket"),
            root.OptionalString("iotsync.mirror.reverse.session-socket-group"),
            relay,
            root.RequireDuration("iotsync.mirror.reverse.arrival-hold"),
            root.RequireDuration("iotsync.mirror.reverse.arrival-timeout"));
        if (ReverseAuthorizedKeys.UnsafeIn(settings.SessionSocket) is not null)
            throw new ConfigurationException($"iotsync.mirror.reverse.session-socket: '{settings.SessionSocket}' must be a path of letters, digits and / . _ + - (it is part of the forced command)");
        return settings;
    }
}
