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
        if (RelayCommandProblem(relayCommand) is { } problem)
            throw new ArgumentException(problem, nameof(relayCommand));
        if (UnsafeIn(sessionSocket) is not null)
            throw new ArgumentException("the session socket must be a path of letters, digits and / . _ + -", nameof(sessionSocket));
        return $"{relayCommand} --socket {sessionSocket} --device {device.Value}";
    }

    /// <summary>
    /// Why <paramref name="relayCommand"/> cannot be forced, or null: an absolute program, then any arguments
    /// (a managed relay: <c>/usr/bin/dotnet /opt/…/iotsync-sync-relay.dll</c>), single-spaced words of safe characters.
    /// </summary>
    public static string? RelayCommandProblem(string relayCommand)
    {
        var words = relayCommand.Split(' ');
        return words.Any(w => UnsafeIn(w) is not null) || !Path.IsPathFullyQualified(words[0])
            ? $"the relay command '{relayCommand}' must be an absolute program path, then any arguments, in single-spaced words of letters, digits and / . _ + - (sshd runs it through a shell)"
            : null;
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
