using System.Collections.Immutable;
using IoTSync.Testing.Processes;

namespace IoTSync.Testing.Rig;

/// <summary>
/// The accounts the nodes run as, as a real installation has them: the device node as its own
/// unprivileged user with CAP_NET_ADMIN alone (to take its interface up and down); the sync
/// account, whose shell is /bin/sh and whose only power is its membership of the socket group (sshd
/// forces the relay into the node's control socket); the mirror as an unprivileged user with no
/// capabilities. <see cref="Ensure"/> creates them when missing and never removes anything.
/// </summary>
public sealed record NodeUsers(string DeviceUser, string SyncUser, string MirrorUser, string SocketGroup)
{
    public static NodeUsers Default { get; } = new("iotsync-device", "iotsync-sync", "iotsync-mirror", "iotsync-relay");

    /// <summary>True where the accounts can be made and switched to: root, with useradd and setpriv.</summary>
    public static bool CanRun =>
        Environment.UserName == "root" && ProcessRunner.Find("useradd") is not null && ProcessRunner.Find("setpriv") is not null;

    // The account tools lock /etc/passwd and give up at once when another holds it: one at a time here,
    // and a bounded retry for another process (a second test run) holding it.
    private static readonly SemaphoreSlim AccountTools = new(1, 1);

    /// <summary>Creates the group and the three users where they are missing (idempotent; nothing is removed).</summary>
    public async Task<NodeUsers> Ensure()
    {
        await AccountTools.WaitAsync();
        try
        {
            return await EnsureAlone();
        }
        finally
        {
            AccountTools.Release();
        }
    }

    private async Task<NodeUsers> EnsureAlone()
    {
        if (!await Exists("group", SocketGroup))
            await Tool(["groupadd", "--system", SocketGroup]);
        foreach (var (user, shell) in new[] { (DeviceUser, "/usr/sbin/nologin"), (SyncUser, "/bin/sh"), (MirrorUser, "/usr/sbin/nologin") })
        {
            if (!await Exists("passwd", user))
                await Tool(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", shell, user]);
        }
        // No password, but not locked either: sshd (without PAM) admits no locked account, even by key.
        await Tool(["usermod", "--password", "*", SyncUser]);
        // The node gives its socket to the group; the sync account connects through it.
        await Tool(["usermod", "--append", "--groups", SocketGroup, DeviceUser]);
        await Tool(["usermod", "--append", "--groups", SocketGroup, SyncUser]);
        return this;
    }

    /// <summary>The device node as <see cref="DeviceUser"/>: its groups, CAP_NET_ADMIN inheritable and ambient (so ip(8) it starts has it too), nothing else in the bounding set.</summary>
    public Launcher AsDevice(Launcher inner) => As(inner, DeviceUser, ["--inh-caps=-all,+net_admin", "--ambient-caps=+net_admin", "--bounding-set=-all,+net_admin"]);

    /// <summary>The mirror node as <see cref="MirrorUser"/>, with no capabilities at all.</summary>
    public Launcher AsMirror(Launcher inner) => As(inner, MirrorUser, ["--inh-caps=-all", "--bounding-set=-all"]);

    private static Launcher As(Launcher inner, string user, string[] capabilities) =>
        new([.. inner.Prefix.IsDefault ? ImmutableArray<string>.Empty : inner.Prefix, ProcessRunner.Find("setpriv")!, "--reuid", user, "--regid", user, "--init-groups",
            .. capabilities, "--"], inner.OwnProcessGroup);

    /// <summary>Hands a directory tree to <paramref name="user"/> (chown -R).</summary>
    public static Task GiveTo(string directory, string user) => Tool(["chown", "-R", $"{user}:{user}", directory]);

    private static async Task<bool> Exists(string database, string name) =>
        (await ProcessRunner.Run(["getent", database, name])).Succeeded;

    private static async Task Tool(string[] argv)
    {
        for (var attempt = 1; ; attempt++)
        {
            var run = await ProcessRunner.Run(argv);
            if (run.Succeeded || attempt == 20 || !run.Stderr.Contains("cannot lock", StringComparison.Ordinal))
            {
                run.EnsureSuccess(string.Join(' ', argv));
                return;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
