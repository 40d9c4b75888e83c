using IoTSync.Device;
using IoTSync.Mirror;

namespace IoTSync.Inspection;

/// <summary>Which node a journal belongs to, and so which persistent actors it holds.</summary>
public enum NodeRole
{
    /// <summary>The device's own <see cref="CommandRecorder"/> (<c>command-recorder-ID</c>).</summary>
    Device,

    /// <summary>One <see cref="StateJournal"/> per device (<c>state-journal-ID</c>).</summary>
    Mirror,
}
