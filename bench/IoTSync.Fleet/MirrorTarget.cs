namespace IoTSync.Fleet;

/// <summary>
/// The mirror the fleet talks to, when it is not started here (<see cref="FleetOptions.LocalMirror"/>): where its
/// heartbeat listener, HTTP API and host sshd are, the admin token and the fleet CA to enrol with, and the
/// authorized_keys file of the mirror host's sync account that the enrolment regenerates.
/// </summary>
/// <param name="HeartbeatAddress">HOST:PORT of the mirror's edge (its Akka.Remote address).</param>
/// <param name="SystemName">The mirror's Akka system name (<c>iotsync.mirror.system-name</c>).</param>
/// <param name="Api">The mirror's HTTP API (HTTPS).</param>
/// <param name="ApiToken">An admin token for the API.</param>
/// <param name="FleetCaCertificate">The fleet CA's certificate (PEM).</param>
/// <param name="FleetCaKey">The fleet CA's key (PEM): the simulator signs its devices' requests as <c>enroll --csr</c> does.</param>
/// <param name="SshHost">The mirror host's sshd.</param>
/// <param name="SshPort">Its port.</param>
/// <param name="SshUser">The mirror host's sync account.</param>
/// <param name="SshHostKey">The mirror host's sshd key fingerprint (pinned by every device).</param>
/// <param name="AuthorizedKeysFile">The sync account's authorized_keys, written from the API's <c>authorized-keys</c> after enrolment.</param>
/// <param name="MirrorPid">The mirror node's process (for CPU and memory from /proc), when known.</param>
public sealed record MirrorTarget(
    string HeartbeatAddress,
    string SystemName,
    Uri Api,
    string ApiToken,
    string FleetCaCertificate,
    string FleetCaKey,
    string SshHost,
    int SshPort,
    string SshUser,
    string SshHostKey,
    string AuthorizedKeysFile,
    int? MirrorPid);
