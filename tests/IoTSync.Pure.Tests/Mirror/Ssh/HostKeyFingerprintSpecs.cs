using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using IoTSync.Mirror.Ssh;
using Renci.SshNet;
using Xunit;

namespace IoTSync.Tests.Mirror.Ssh;

/// <summary>The enrolled host key fingerprint and what SSH.NET is told to offer; no server needed.</summary>
public sealed class HostKeyFingerprintSpecs
{
    // ssh-keygen -lf on a generated ed25519 key printed this one.
    private const string Printed = "SHA256:04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D28";

    [Fact]
    public void Should_parse_the_fingerprint_as_openssh_prints_it_and_print_it_back_the_same()
    {
        var fingerprint = HostKeyFingerprint.Parse(Printed);

        Assert.Equal(Printed, fingerprint.Value);
        Assert.Equal(Printed, fingerprint.ToString());
        Assert.Equal(fingerprint, HostKeyFingerprint.Parse($"  {Printed}=\n"));
        Assert.NotEqual(fingerprint, HostKeyFingerprint.Parse("SHA256:" + new string('A', 43)));
    }

    [Fact]
    public void Should_compute_the_fingerprint_of_a_key_blob_as_sha256_over_it()
    {
        var blob = RandomNumberGenerator.GetBytes(51);

        var fingerprint = HostKeyFingerprint.OfKey(blob);

        Assert.Equal("SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('='), fingerprint.Value);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "is empty" },
        { "   ", "is empty" },
        { "SHA256:", "has 0 base64 characters" },
        { "SHA256:04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D2", "has 42 base64 characters" },
        { "SHA256:04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D28A", "has 44 base64 characters" },
        { "sha256:04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D28", "does not start with 'SHA256:'" },
        { "04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D28", "does not start with 'SHA256:'" },
        { "SHA256:04fFkYoTgJ8h-zuBSAmQtq+6QMT5NIKggpqD_Wm4D28", "outside base64" },
        { "SHA256:04fFkYoTgJ8h+zuBSAmQtq+6QMT5NIKggpqD/Wm4D29", "not in canonical base64" },
        { "MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48", "is an MD5 fingerprint" },
        { "16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48", "is an MD5 fingerprint" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Should_refuse_a_malformed_fingerprint_with_a_clear_message(string text, string expected)
    {
        var error = Assert.Throws<FormatException>(() => HostKeyFingerprint.Parse(text));

        Assert.Contains(expected, error.Message);
        Assert.Contains("ssh-keygen -lf KEY.pub -E sha256", error.Message);
        Assert.False(HostKeyFingerprint.TryParse(text, out _, out var reason));
        Assert.Equal(error.Message, reason);
    }

    [Fact]
    public void Should_refuse_a_malformed_fingerprint_before_anything_connects()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        Assert.Throws<FormatException>(() => new SshTransportSettings("127.0.0.1", port, "root", "/no/key", "SHA256:tooshort"));

        Assert.False(listener.Pending());
    }

    [Fact]
    public void Should_offer_key_authentication_only_and_plain_host_keys()
    {
        var settings = new SshTransportSettings("127.0.0.1", 22, "root", "/no/key", Printed);
        using var key = new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(
            ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem())));
        using var authentication = new PrivateKeyAuthenticationMethod("root", key);

        var connection = SshTransport.BuildConnectionInfo(settings, authentication);

        Assert.Same(authentication, Assert.Single(connection.AuthenticationMethods));
        Assert.Equal("publickey", connection.AuthenticationMethods[0].Name);
        Assert.Contains("ssh-ed25519", connection.HostKeyAlgorithms.Keys);
        Assert.DoesNotContain(connection.HostKeyAlgorithms.Keys, k => k.Contains("-cert-", StringComparison.Ordinal));
        Assert.Equal(settings.ConnectTimeout, connection.Timeout);
    }

    [Fact]
    public void Should_offer_only_the_configured_key_exchanges_in_the_configured_order()
    {
        var settings = new SshTransportSettings("127.0.0.1", 22, "root", "/no/key", Printed)
            with { KeyExchangeAlgorithms = ["ecdh-sha2-nistp256", "curve25519-sha256"] };
        using var key = new PrivateKeyFile(new MemoryStream(System.Text.Encoding.ASCII.GetBytes(
            ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem())));
        using var authentication = new PrivateKeyAuthenticationMethod("root", key);

        var connection = SshTransport.BuildConnectionInfo(settings, authentication);
        var unknown = Assert.Throws<ArgumentException>(() => SshTransport.BuildConnectionInfo(
            settings with { KeyExchangeAlgorithms = ["curve25519-sha256", "diffie-hellman-group0"] }, authentication));

        Assert.Equal(["ecdh-sha2-nistp256", "curve25519-sha256"], connection.KeyExchangeAlgorithms.Keys);
        Assert.Contains("diffie-hellman-group0", unknown.Message);
    }

    [Fact]
    public void Should_keep_the_passphrase_out_of_the_settings_text()
    {
        var settings = new SshTransportSettings("device.example", 2222, "iotsync", "/keys/mirror", Printed) { PrivateKeyPassphrase = "hunter2" };

        Assert.Equal($"iotsync@device.example:2222 (host key {Printed})", settings.ToString());
    }
}
