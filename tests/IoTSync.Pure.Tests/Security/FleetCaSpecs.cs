using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Security;
using Xunit;

namespace IoTSync.Tests.Security;

/// <summary>The fleet CA, device certificate requests and the TLS validator, without a network.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FleetCaSpecs : IDisposable
{
    private static readonly TimeSpan Year = TimeSpan.FromDays(365);
    private static readonly DeviceId Device = new("dev-ca");
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-ca-").FullName;
    private readonly FleetCa _ca = FleetCa.Create(Year, DateTimeOffset.UtcNow);

    private sealed class Admission(DeviceStanding verdict) : IDeviceAdmission
    {
        public DeviceStanding StandingOf(DeviceId device) => verdict;
    }

    private string Request(DeviceId device) => DeviceCredentials.CreateKeyAndRequest(device, Path.Combine(_directory, $"{device.Value}-{Guid.NewGuid():n}.key"));

    [Fact]
    public void Should_issue_a_device_certificate_naming_only_its_id_for_client_authentication()
    {
        using var issued = _ca.IssueDevice(Request(Device), Device, Year, DateTimeOffset.UtcNow);

        Assert.Equal("CN=device:dev-ca", issued.Subject);
        Assert.Equal(FleetCa.Subject, issued.Issuer);
        var usage = Assert.Single(issued.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages;
        Assert.Equal([FleetIdentity.ClientAuth.Value], usage.Cast<Oid>().Select(o => o.Value));
        Assert.False(issued.HasPrivateKey);
        Assert.Null(MirrorValidator(DeviceStanding.Enabled).Problem(issued));
    }

    [Fact]
    public void Should_issue_a_mirror_certificate_that_cluster_peers_accept_and_that_never_passes_as_a_device()
    {
        using var mirror = _ca.IssueMirror("mirror-a", Year, DateTimeOffset.UtcNow);
        using var device = _ca.IssueDevice(Request(Device), Device, Year, DateTimeOffset.UtcNow);
        var peers = FleetTlsValidator.BetweenMirrors(_ca.Certificate);

        var usage = Assert.Single(mirror.Extensions.OfType<X509EnhancedKeyUsageExtension>()).EnhancedKeyUsages;
        Assert.Equal([FleetIdentity.ServerAuth.Value, FleetIdentity.ClientAuth.Value], usage.Cast<Oid>().Select(o => o.Value));
        Assert.Null(peers.Problem(mirror));
        Assert.NotNull(peers.Problem(device));
        Assert.Contains("names no device", MirrorValidator(DeviceStanding.Enabled).Problem(mirror));
    }

    [Fact]
    public void Should_refuse_a_request_that_names_another_device()
    {
        Assert.Throws<CryptographicException>(() => _ca.IssueDevice(Request(new DeviceId("dev-someone-else")), Device, Year, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Should_refuse_a_request_whose_signature_does_not_match_its_key()
    {
        var request = Request(Device);
        var der = Convert.FromBase64String(string.Concat(request.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))));
        der[^5] ^= 0x55;
        var tampered = PemEncoding.WriteString("CERTIFICATE REQUEST", der);

        Assert.ThrowsAny<CryptographicException>(() => _ca.IssueDevice(tampered, Device, Year, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Should_write_the_ca_and_device_keys_owner_only_and_never_over_an_existing_file()
    {
        var cert = Path.Combine(_directory, "fleet-ca.crt");
        var key = Path.Combine(_directory, "fleet-ca.key");
        _ca.Save(cert, key);
        Request(Device);

        Assert.All(Directory.GetFiles(_directory, "*.key"), k => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(k)));
        Assert.Throws<IOException>(() => _ca.Save(cert, key));
        using var loaded = FleetCa.Load(cert, key);
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal(_ca.Certificate.RawData, loaded.Certificate.RawData);
    }

    [Theory]
    [InlineData(DeviceStanding.NotEnrolled, "not enrolled")]
    [InlineData(DeviceStanding.Disabled, "disabled")]
    public void Should_refuse_at_the_mirror_a_device_that_is_not_admitted(DeviceStanding verdict, string reason)
    {
        using var issued = _ca.IssueDevice(Request(Device), Device, Year, DateTimeOffset.UtcNow);

        Assert.Contains(reason, MirrorValidator(verdict).Problem(issued));
    }

    [Fact]
    public void Should_refuse_at_the_mirror_the_mirrors_certificate_and_at_the_device_a_devices()
    {
        using var mirror = _ca.IssueMirror("iotsync-mirror", Year, DateTimeOffset.UtcNow);
        using var device = _ca.IssueDevice(Request(Device), Device, Year, DateTimeOffset.UtcNow);

        Assert.NotNull(MirrorValidator(DeviceStanding.Enabled).Problem(mirror));
        Assert.NotNull(FleetTlsValidator.AtDevice(_ca.Certificate).Problem(device));
        Assert.Null(FleetTlsValidator.AtDevice(_ca.Certificate).Problem(mirror));
    }

    [Fact]
    public void Should_name_the_mirrors_addresses_in_its_certificate_so_https_clients_accept_it_there()
    {
        using var mirror = _ca.IssueMirror("iotsync-mirror", Year, DateTimeOffset.UtcNow, ["127.0.0.1", "10.0.0.1", "localhost"]);

        Assert.True(mirror.MatchesHostname("127.0.0.1"));
        Assert.True(mirror.MatchesHostname("10.0.0.1"));
        Assert.True(mirror.MatchesHostname("localhost"));
        Assert.False(mirror.MatchesHostname("10.0.0.2"));
        Assert.Null(FleetTlsValidator.AtDevice(_ca.Certificate).Problem(mirror));
    }

    [Fact]
    public void Should_refuse_another_cas_certificate_and_an_expired_one_and_none_at_all()
    {
        using var otherCa = FleetCa.Create(Year, DateTimeOffset.UtcNow);
        using var foreign = otherCa.IssueDevice(Request(Device), Device, Year, DateTimeOffset.UtcNow);
        using var issued = _ca.IssueDevice(Request(Device), Device, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var later = new FleetTlsValidator(_ca.Certificate, FleetIdentity.ClientAuth, new Admission(DeviceStanding.Enabled), () => DateTime.Now.AddDays(2));

        Assert.NotNull(MirrorValidator(DeviceStanding.Enabled).Problem(foreign));
        Assert.NotNull(later.Problem(issued));
        Assert.Equal("no certificate", MirrorValidator(DeviceStanding.Enabled).Problem(null));
    }

    private FleetTlsValidator MirrorValidator(DeviceStanding verdict) => FleetTlsValidator.AtMirror(_ca.Certificate, new Admission(verdict));

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
