using IoTSync.Model;

namespace IoTSync.Mirror.Reverse;

/// <summary>
/// The mirror host's authorized_keys line for a reverse device's key: <c>restrict</c> (no forwarding,
/// pty, agent or X11) and the relay forced with the session socket and THIS device's id, so the key
/// reaches only that device's session whatever its holder asks for. No <c>from=</c>: a device
/// behind NAT has no address the mirror knows. Pure.
/// </summary>
public static class ReverseAuthorizedKeys
{
    /// <summary>The forced command: the relay into the session socket for <paramref name="device"/>.</summary>
    public static string Command(string relayCommand, string sessionSocket, DeviceId device)
    {
        if (UnsafeIn(relayCommand) is not null || UnsafeIn(sessionSocket) is not null)
            throw new ArgumentException("the relay command and the session socket must be paths of letters, digits and / . _ + -");
        return $"{relayCommand} --socket {sessionSocket} --device {device.Value}";
    }

    /// <summary>The whole line: options, then the device's key with a comment naming the device.</summary>
    public static string Line(string relayCommand, string sessionSocket, DeviceId device, DevicePublicKey key) =>
        $"restrict,command=\"{Command(relayCommand, sessionSocket, device)}\" {key.Line} iotsync-device-{device.Value}";

    /// <summary>The first character a path in the forced command may not hold (sshd hands the command to a shell), or null.</summary>
    public static char? UnsafeIn(string path)
    {
        foreach (var c in path)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '+' or '-'))
                return c;
        return path.Length == 0 ? ' ' : null;
    }
}
