using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;

namespace IoTSync.Inspection;

/// <summary>Names and persistence ids of the log-holding actors, per node.</summary>
public static class NodeRoles
{
    public static string PersistenceIdPrefix(this NodeRole role) =>
        role == NodeRole.Device ? CommandRecorder.PersistenceIdPrefix : StateJournal.PersistenceIdPrefix;

    public static string PersistenceId(this NodeRole role, DeviceId device) => role.PersistenceIdPrefix() + device.Value;

    /// <summary>The actor's name as people know it: <c>command-recorder</c> or <c>state-journal</c>.</summary>
    public static string ActorName(this NodeRole role) => role.PersistenceIdPrefix().TrimEnd('-');

    /// <summary>The log this node writes (its replica of the other one is the other side's).</summary>
    public static Origin OwnLog(this NodeRole role) => role == NodeRole.Device ? Origin.Device : Origin.Mirror;

    public static NodeRole Other(this NodeRole role) => role == NodeRole.Device ? NodeRole.Mirror : NodeRole.Device;

    public static string Name(this NodeRole role) => role == NodeRole.Device ? "device" : "mirror";

    /// <summary>The device named by a persistence id of this role, or null for any other id.</summary>
    public static DeviceId? DeviceOf(this NodeRole role, string persistenceId)
    {
        var prefix = role.PersistenceIdPrefix();
        if (!persistenceId.StartsWith(prefix, StringComparison.Ordinal))
            return null;
        var id = persistenceId[prefix.Length..];
        return DeviceId.IsValid(id) ? new DeviceId(id) : null;
    }

    /// <summary>"device log" or "mirror log".</summary>
    public static string LogName(this Origin origin) => origin == Origin.Device ? "device log" : "mirror log";
}
