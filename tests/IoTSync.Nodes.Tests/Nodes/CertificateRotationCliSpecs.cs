using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Testing.Rig;
using Xunit;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// A certificate rotation as an operator runs it, through the real executables: <c>iotsync-device tls
/// renew</c>, <c>iotsync-mirror device rotate ID --csr --certificate-out</c>, <c>iotsync-device tls
/// install</c>; once the overlap is over (the old credentials refused), the device on its new certificate,
/// heartbeat key and authorized_keys line syncs again.
/// </summary>
[Collection(NodeProcessLaneB.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateRotationCliSpecs
{
    [SkippableFact]
    public async Task Should_renew_rotate_and_install_the_devices_certificate_and_sync_on_it_after_the_overlap()
    {
        await using var rig = await NodeRig.Create(new DeploymentOptions { RotationOverlap = TimeSpan.FromSeconds(3) });
        var deployment = rig.Deployment;
        await deployment.StartAll();
        await rig.AwaitConverged();
        var device = Path.Combine(deployment.Directory, "device");
        var key = Path.Combine(device, "device.key");
        var currentKey = await File.ReadAllTextAsync(key);
        var newHeartbeatKey = Path.Combine(rig.Directory, "rotated.key");
        var newCertificate = Path.Combine(rig.Directory, "rotated.crt");

        (await deployment.DeviceCli(["tls", "renew"])).EnsureSuccess("iotsync-device tls renew");
        var request = Path.Combine(device, "device-renew.csr");
        Assert.True(File.Exists(request));
        Assert.Equal(currentKey, await File.ReadAllTextAsync(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key + ".pending"));

        var rotated = await deployment.MirrorJson("device", "rotate", deployment.DeviceId, "--key-out", newHeartbeatKey,
            "--from", deployment.MirrorHost, "--device-command", deployment.SyncEndpointCommand, "--csr", request, "--certificate-out", newCertificate);
        Assert.True(rotated.GetProperty("certificateRotated").GetBoolean());
        var pinned = rotated.GetProperty("certificateSha256").GetString()!;
        Assert.Contains("the previous certificate is honoured until", rotated.GetProperty("certificate").GetString());
        var refusedFrom = DateTimeOffset.FromUnixTimeMilliseconds(rotated.GetProperty("previousRefusedFromUnixMs").GetInt64());

        await deployment.Device!.Stop(TimeSpan.FromSeconds(15));
        (await deployment.DeviceCli(["tls", "install", newCertificate])).EnsureSuccess("iotsync-device tls install");
        Assert.False(File.Exists(key + ".pending"));
        Assert.NotEqual(currentKey, await File.ReadAllTextAsync(key));
        using (var installed = X509Certificate2.CreateFromPemFile(Path.Combine(device, "device.crt"), key))
            Assert.Equal(pinned, Convert.ToHexStringLower(SHA256.HashData(installed.RawData)));
        File.Copy(newHeartbeatKey, deployment.DeviceHeartbeatKey, overwrite: true);
        await File.WriteAllTextAsync(deployment.Sshd.AuthorizedKeysFile, rotated.GetProperty("authorizedKeys").GetString() + "\n");

        // Only the new credentials are honoured from here on: a sync proves the device holds all of them.
        await NodeRig.Poll("the overlap to end", () => Task.FromResult(DateTimeOffset.UtcNow > refusedFrom ? true : (bool?)null));
        await deployment.StartDevice();
        var sequence = await rig.LeaveAtMirror(["echo", "renewed"]);
        Assert.Equal(0, (await rig.AwaitResult(sequence)).GetProperty("exitCode").GetInt32());
    }

    [SkippableFact]
    public async Task Should_say_the_certificate_was_not_rotated_without_a_request_and_refuse_a_certificate_for_another_key()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        await deployment.Enroll();

        var rotate = (await deployment.MirrorCli(["device", "rotate", deployment.DeviceId, "--key-out", Path.Combine(rig.Directory, "rotated.key")]))
            .EnsureSuccess("iotsync-mirror device rotate");
        Assert.Contains("the TLS certificate was not rotated (no --csr)", rotate.Stderr);

        // The certificate enrolment gave the device is for its current key, not for a renewal's.
        (await deployment.DeviceCli(["tls", "renew"])).EnsureSuccess("iotsync-device tls renew");
        var device = Path.Combine(deployment.Directory, "device");
        var before = await File.ReadAllTextAsync(Path.Combine(device, "device.crt"));
        var install = await deployment.DeviceCli(["tls", "install", Path.Combine(device, "device.crt")]);
        Assert.NotEqual(0, install.ExitCode);
        Assert.Contains("is not for the pending key", install.Stderr);
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(device, "device.crt")));
        Assert.True(File.Exists(Path.Combine(device, "device.key.pending")));
    }

    [SkippableFact]
    public async Task Should_pin_the_certificate_enroll_signs_from_the_devices_request()
    {
        await using var rig = await NodeRig.Create();
        var deployment = rig.Deployment;
        await deployment.StartMirror();
        var issued = Path.Combine(rig.Directory, "issued");

        var enrolled = await deployment.MirrorJson("enroll", "--device", deployment.DeviceId, "--ssh", deployment.DeviceSshEndpoint, "--ssh-user", Environment.UserName,
            "--host-key", deployment.Sshd.HostKey.Value, "--heartbeat-key-file", deployment.DeviceHeartbeatKey,
            "--csr", Path.Combine(deployment.Directory, "device", "device.csr"), "--certificate-out", issued);

        using var certificate = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(Path.Combine(issued, "device.crt")));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), enrolled.GetProperty("certificateSha256").GetString());
    }
}
