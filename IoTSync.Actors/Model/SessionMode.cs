namespace IoTSync.Model;

/// <summary>
/// Who opens a device's sync session. <see cref="Direct"/>: the mirror dials the device's sshd (the
/// device must be reachable). <see cref="Reverse"/>: the device dials the mirror host's sshd when a
/// heartbeat's answer says sync, and nothing on the device listens on the network. The numbers are
/// stored in the registry's journal: never renumber them.
/// </summary>
public enum SessionMode
{
    Direct = 0,
    Reverse = 1,
}

/// <summary>The modes as configuration and the CLI spell them.</summary>
public static class SessionModes
{
    public static string Text(this SessionMode mode) => mode == SessionMode.Reverse ? "reverse" : "direct";

    public static bool TryParse(string? text, out SessionMode mode)
    {
        (var known, mode) = text switch
        {
            "direct" => (true, SessionMode.Direct),
            "reverse" => (true, SessionMode.Reverse),
            _ => (false, SessionMode.Direct),
        };
        return known;
    }
}
