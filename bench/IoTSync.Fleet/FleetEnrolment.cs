using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Ssh;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Model;
using IoTSync.Security;
using IoTSync.Testing.Fakes;
using IoTSync.Testing.Sync;

namespace IoTSync.Fleet;

/// <summary>
/// Makes and enrols the simulated devices as <c>iotsync-device init --mode reverse</c> and the mirror's
/// <c>enroll --mode reverse --csr</c> do: per device a heartbeat key, a certificate key and request
/// (<see cref="DeviceCredentials"/>) signed by the fleet CA and pinned at enrolment, an SSH key
/// (<see cref="MirrorKeyPair"/>); each enrolled in reverse mode through the mirror's HTTP API with the admin
/// token, through the first node's API; then every node's host authorized_keys regenerated from that node's API
/// (<c>authorized-keys</c>), each device's key forced to the relay for its own id and that node's session socket.
/// </summary>
public static class FleetEnrolment
{
    /// <summary>How long a node may take to see what was enrolled through another (its caches follow the journal).</summary>
    public static readonly TimeSpan SpreadLimit = TimeSpan.FromSeconds(60);

    /// <summary>Enrols the devices through <paramref name="apis"/>' first (node 1's) and writes the authorized_keys of each node given an API client from its own API.</summary>
    public static async Task<IReadOnlyList<SimulatedDevice>> Enrol(FleetOptions options, MirrorTarget target, string directory, IReadOnlyList<MirrorApiClient> apis)
    {
        var api = apis[0];
        // A token made on a cluster node reaches even that node's API through the journal, within the read journal's refresh.
        await UntilAccepted(async () =>
        {
            await api.Devices();
            return true;
        }, $"the node at {target.First.Api} did not accept the admin token");
        using var ca = FleetCa.Load(target.FleetCaCertificate, target.FleetCaKey);
        var devices = new SimulatedDevice?[options.Devices];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(options.EnrolConcurrency, options.Devices)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < options.Devices)
                devices[n] = await EnrolOne(new DeviceId($"{options.IdPrefix}-{n:D5}"), ca, directory, api);
        })));
        // The nodes given an API client: a node started later gets its file when it runs (InstallAuthorizedKeys).
        for (var k = 0; k < apis.Count; k++)
            await InstallAuthorizedKeys(target.Nodes[k], apis[k], options.Devices);
        return [.. devices.Select(d => d!)];
    }

    /// <summary>
    /// The node's host authorized_keys from its own API (its relay lines name its own session socket), once the node
    /// accepts the token and lists <paramref name="devices"/> reverse devices: a node that joined the cluster, or one whose
    /// caches still follow the journal, is asked again until it does, up to <see cref="SpreadLimit"/>.
    /// </summary>
    public static async Task InstallAuthorizedKeys(MirrorNodeTarget node, MirrorApiClient api, int devices)
    {
        IReadOnlyList<string> lines = [];
        await UntilAccepted(async () => (lines = (await api.ReverseAuthorizedKeys()).Lines).Count >= devices,
            $"the node at {node.Api} did not list all {devices} reverse devices");
        var staged = node.AuthorizedKeysFile + ".new";
        await File.WriteAllLinesAsync(staged, lines);
        File.Move(staged, node.AuthorizedKeysFile, overwrite: true);
    }

    private static async Task<SimulatedDevice> EnrolOne(DeviceId id, FleetCa ca, string directory, MirrorApiClient api)
    {
        var home = Path.Combine(directory, id.Value);
        Directory.CreateDirectory(home);
        var heartbeatKey = RandomNumberGenerator.GetBytes(32);
        var keyFile = Path.Combine(home, "device.key");
        var request = DeviceCredentials.CreateKeyAndRequest(id, keyFile);
        using var issued = Sign(ca, request, id);
        var keyPem = await File.ReadAllTextAsync(keyFile);
        var certificate = X509Certificate2.CreateFromPem(issued.ExportCertificatePem(), keyPem);
        var sshKey = MirrorKeyPair.LoadOrCreate(Path.Combine(home, "device_ssh_key"), "iotsync-device");
        var pin = CertificatePin.Of(issued);
        await api.Enrol(new EnrolRequest(id.Value, null, 0, null, null, Convert.ToHexStringLower(heartbeatKey), new CertificatePinResource(pin.Sha256, pin.NotAfterUnixMs),
            Mode: "reverse", DeviceSshKey: sshKey.PublicKeyLine));
        var runner = new FakeCommandRunner();
        var side = await InMemoryDeviceSide.Start(id, new InMemoryJournal(), SystemWallClock.Instance, runner);
        return new SimulatedDevice(id, heartbeatKey, certificate, sshKey.PrivateKeyPath, side, runner);
    }

    /// <summary>The CA's signature on the device's request; one at a time, as one CA key serves every enrolment at once.</summary>
    private static X509Certificate2 Sign(FleetCa ca, string request, DeviceId id)
    {
        lock (ca)
            return ca.IssueDevice(request, id, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
    }

    /// <summary>Asks <paramref name="done"/> until it says so, a token refused (not read from the journal yet) or a 503 meanwhile, up to <see cref="SpreadLimit"/>.</summary>
    private static async Task UntilAccepted(Func<Task<bool>> done, string failure)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if (await done())
                    return;
            }
            catch (MirrorApiException e) when (e.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden)
            {
                // The node's token cache has not read the token from the journal yet.
            }
            catch (MirrorApiException e) when (e.StatusCode is System.Net.HttpStatusCode.ServiceUnavailable)
            {
                // A node that joined the cluster moments ago: its actors did not answer within the request timeout ("try again").
            }
            if (clock.Elapsed > SpreadLimit)
                throw new TimeoutException($"{failure} within {SpreadLimit.TotalSeconds:0} s");
            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
