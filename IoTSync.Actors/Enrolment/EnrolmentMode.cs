namespace IoTSync.Enrolment;

/// <summary>How the mirror and the device meet for a session: the mirror dials the device's sshd, or the device dials the mirror's.</summary>
public enum EnrolmentMode
{
    /// <summary>The mirror connects to the device's SSH server (the device's address, account and pinned host key).</summary>
    Direct,

    /// <summary>The device connects to the mirror host's SSH server with its own key; nothing on the device listens.</summary>
    Reverse,
}
