namespace IoTSync.Fleet;

/// <summary>
/// The mirror the fleet talks to: its nodes (one, or the members of a cluster), the admin token and the fleet CA to
/// enrol with, and what every node's host sshd shares (the sync account and the pinned host key).
/// </summary>
/// <param name="Nodes">The mirror's nodes, in the order the devices' lists start from (device i lists them from node i mod M on).</param>
/// <param name="SystemName">The mirror's Akka system name (<c>iotsync.mirror.system-name</c>).</param>
/// <param name="ApiToken">An admin token for the API (valid on every node).</param>
/// <param name="FleetCaCertificate">The fleet CA's certificate (PEM).</param>
/// <param name="FleetCaKey">The fleet CA's key (PEM): the simulator signs its devices' requests as <c>enroll --csr</c> does.</param>
/// <param name="SshUser">The mirror hosts' sync account.</param>
/// <param name="SshHostKey">The mirror hosts' sshd key fingerprint (pinned by every device; one key on every node).</param>
public sealed record MirrorTarget(
    IReadOnlyList<MirrorNodeTarget> Nodes,
    string SystemName,
    string ApiToken,
    string FleetCaCertificate,
    string FleetCaKey,
    string SshUser,
    string SshHostKey)
{
    /// <summary>The node the simulator enrols and leaves commands through.</summary>
    public MirrorNodeTarget First => Nodes[0];
}

/// <summary>One mirror node as the fleet reaches it.</summary>
/// <param name="HeartbeatAddress">HOST:PORT of the node's edge (its Akka.Remote address).</param>
/// <param name="Api">The node's HTTP API (HTTPS).</param>
/// <param name="SshHost">The node's host sshd, which relays a session to this node.</param>
/// <param name="SshPort">Its port.</param>
/// <param name="AuthorizedKeysFile">That sshd's sync account's authorized_keys, written from this node's API (<c>authorized-keys</c>) after enrolment.</param>
/// <param name="Pid">The node's process (for CPU and memory from /proc), when known.</param>
public sealed record MirrorNodeTarget(string HeartbeatAddress, Uri Api, string SshHost, int SshPort, string AuthorizedKeysFile, int? Pid);
