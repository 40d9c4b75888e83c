using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Security;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Security;

/// <summary>
/// A device's certificate renewal on its own files (<c>tls renew</c>, <c>tls install</c>), and the
/// mirror's validator over the registry's pins, without a network.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DeviceCredentialsSpecs : IDisposable
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private static readonly DeviceId Device = new("dev-renew");
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-renew-").FullName;
    private readonly FleetCa _ca = FleetCa.Create(Year, DateTimeOffset.UtcNow);

    private string Key => Path.Combine(_directory, "device.key");
    private string Certificate => Path.Combine(_directory, "device.crt");
    private string Ca => Path.Combine(_directory, "fleet-ca.crt");

    /// <summary>The device as init and enrolment leave it: key, certificate, the CA's certificate.</summary>
    private void Enrolled()
    {
        using var issued = _ca.IssueDevice(DeviceCredentials.CreateKeyAndRequest(Device, Key), Device, Year, DateTimeOffset.UtcNow);
        File.WriteAllText(Certificate, issued.ExportCertificatePem());
        File.WriteAllText(Ca, _ca.Certificate.ExportCertificatePem());
    }

    private (string Key, string Certificate) Files() => (File.ReadAllText(Key), File.ReadAllText(Certificate));

    [Fact]
    public void Should_renew_beside_the_current_key_and_install_the_signed_certificate_with_its_key()
    {
        Enrolled();
        var before = Files();

        var request = DeviceCredentials.Renew(Device, Key);
        Assert.Equal(before, Files());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DeviceCredentials.PendingKey(Key)));
        Assert.Throws<IOException>(() => DeviceCredentials.Renew(Device, Key));
        using var issued = _ca.IssueDevice(File.ReadAllText(request), Device, Year, DateTimeOffset.UtcNow);

        DeviceCredentials.Install(Device, issued.ExportCertificatePem(), Key, Certificate, Ca);

        Assert.False(File.Exists(DeviceCredentials.PendingKey(Key)));
        using var installed = X509Certificate2.CreateFromPemFile(Certificate, Key);
        Assert.Equal(issued.Thumbprint, installed.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Key));
    }

    [Fact]
    public void Should_refuse_a_certificate_for_another_key_another_device_or_another_ca_and_change_nothing()
    {
        Enrolled();
        DeviceCredentials.Renew(Device, Key);
        var before = Files();
        var pending = File.ReadAllText(DeviceCredentials.PendingKey(Key));
        using var otherCa = FleetCa.Create(Year, DateTimeOffset.UtcNow);
        var other = new DeviceId("dev-other");
        using var forAnotherKey = _ca.IssueDevice(DeviceCredentials.CreateKeyAndRequest(Device, Path.Combine(_directory, "another.key")), Device, Year, DateTimeOffset.UtcNow);
        using var fromAnotherCa = otherCa.IssueDevice(File.ReadAllText(DeviceCredentials.RenewalRequest(Key)), Device, Year, DateTimeOffset.UtcNow);

        Assert.Throws<CryptographicException>(() => DeviceCredentials.Install(Device, forAnotherKey.ExportCertificatePem(), Key, Certificate, Ca));
        Assert.Throws<CryptographicException>(() => DeviceCredentials.Install(Device, fromAnotherCa.ExportCertificatePem(), Key, Certificate, Ca));
        // The pending key's request, signed for the device, installed as another device.
        using var right = _ca.IssueDevice(File.ReadAllText(DeviceCredentials.RenewalRequest(Key)), Device, Year, DateTimeOffset.UtcNow);
        Assert.Throws<CryptographicException>(() => DeviceCredentials.Install(other, right.ExportCertificatePem(), Key, Certificate, Ca));

        Assert.Equal(before, Files());
        Assert.Equal(pending, File.ReadAllText(DeviceCredentials.PendingKey(Key)));
    }

    [Fact]
    public void Should_admit_at_the_mirror_only_the_pinned_certificate_then_the_rotated_one_and_the_old_one_until_the_overlap_ends()
    {
        var first = Issue();
        var second = Issue();
        var overlap = TimeSpan.FromMinutes(5);
        var cache = new DeviceKeyCache(overlap);
        var state = RegistryState.Empty.Apply(new DeviceEnrolled(new EnrolledDevice(Device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43),
            new string('7', 64), 0, Certificate: CertificatePin.Of(first))));
        cache.Replace(state);
        var validator = FleetTlsValidator.AtMirror(_ca.Certificate, cache);

        Assert.Null(validator.Problem(first));
        Assert.Contains("not the one pinned", validator.Problem(second));

        var rotatedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        cache.Replace(state.Apply(new CredentialsRotated(Device, new string('8', 64), rotatedAt, "", CertificatePin.Of(second))));
        var afterOverlap = new FleetTlsValidator(_ca.Certificate, FleetIdentity.ClientAuth, cache, () => DateTime.UtcNow + overlap);

        Assert.Null(validator.Problem(second));
        Assert.Null(validator.Problem(first));
        Assert.Contains("was replaced", afterOverlap.Problem(first));
        Assert.Null(afterOverlap.Problem(second));
    }

    private X509Certificate2 Issue()
    {
        var key = Path.Combine(_directory, $"{Guid.NewGuid():n}.key");
        using var issued = _ca.IssueDevice(DeviceCredentials.CreateKeyAndRequest(Device, key), Device, Year, DateTimeOffset.UtcNow);
        return X509Certificate2.CreateFromPem(issued.ExportCertificatePem());
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
