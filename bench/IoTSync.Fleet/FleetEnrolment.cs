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
/// token; then the mirror host's authorized_keys regenerated from the API (<c>authorized-keys</c>), each
/// device's key forced to the relay for its own id.
/// </summary>
public static class FleetEnrolment
{
    public static async Task<IReadOnlyList<SimulatedDevice>> Enrol(FleetOptions options, MirrorTarget target, string directory, MirrorApiClient api)
    {
        using var ca = FleetCa.Load(target.FleetCaCertificate, target.FleetCaKey);
        var devices = new SimulatedDevice?[options.Devices];
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(options.EnrolConcurrency, options.Devices)).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) is var n && n < options.Devices)
                devices[n] = await EnrolOne(new DeviceId($"{options.IdPrefix}-{n:D5}"), ca, directory, api);
        })));
        var lines = (await api.ReverseAuthorizedKeys()).Lines;
        var staged = target.AuthorizedKeysFile + ".new";
        await File.WriteAllLinesAsync(staged, lines);
        File.Move(staged, target.AuthorizedKeysFile, overwrite: true);
        return [.. devices.Select(d => d!)];
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
}
