using System.Runtime.InteropServices;

namespace IoTSync.Control;

/// <summary>Gives one group access to a control socket: the socket 0660 and its directory 0750, both of that group.</summary>
public static class UnixGroup
{
    /// <summary>
    /// Hands <paramref name="socket"/> and <paramref name="directory"/> to <paramref name="group"/>; the
    /// node's user must be a member (chown(2) refuses otherwise). Listening starts only after this.
    /// </summary>
    public static void Share(string directory, string socket, string group)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("a shared control socket needs Unix permissions");
        var gid = IdOf(group);
        foreach (var path in new[] { directory, socket })
        {
            if (chown(path, -1, gid) != 0)
                throw new IOException($"cannot give {path} to group {group} (errno {Marshal.GetLastPInvokeError()}): is the node's user a member?");
        }
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        File.SetUnixFileMode(socket, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
    }

    /// <summary>The group's id from /etc/group, or its number as given.</summary>
    public static int IdOf(string group)
    {
        if (int.TryParse(group, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return number;
        foreach (var line in File.ReadLines("/etc/group"))
        {
            var fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group && int.TryParse(fields[2], System.Globalization.CultureInfo.InvariantCulture, out var gid))
                return gid;
        }
        throw new IOException($"there is no group '{group}' in /etc/group");
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int chown(string path, int owner, int group);
}
