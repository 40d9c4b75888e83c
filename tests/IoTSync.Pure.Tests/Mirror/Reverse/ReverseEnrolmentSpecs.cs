using IoTSync.Mirror;
using IoTSync.Mirror.Reverse;
using IoTSync.Model;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror.Reverse;

/// <summary>
/// The registry's per-device mode: a reverse device's enrolment (its key, no address), the mirror host's
/// authorized_keys line for it, and the journal's compatibility (a direct device encodes and hashes as before).
/// </summary>
public sealed class ReverseEnrolmentSpecs
{
    // An ed25519 public key as ssh-keygen writes it.
    private const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

    private static EnrolledDevice Reverse(string id = "dev-rev", string? key = Ed25519) =>
        new(new DeviceId(id), "", 0, "", "", new string('7', 64), 1_700_000_000_000, Mode: SessionMode.Reverse, DeviceSshKey: key);

    private static EnrolledDevice Direct() =>
        new(new DeviceId("dev-dir"), "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43), new string('0', 64), 1_700_000_000_000);

    [Fact]
    public void Should_enrol_a_reverse_device_with_its_key_and_no_ssh_address()
    {
        var (reply, events) = RegistryState.Empty.Decide(new Enrol(Reverse()));

        var listed = Assert.IsType<Enrolled>(reply).Device;
        Assert.Equal(SessionMode.Reverse, listed.Mode);
        Assert.Equal(Ed25519, listed.DeviceSshKey);
        Assert.Equal("reverse (the device dials in)", listed.Endpoint);
        Assert.Single(events);
    }

    [Theory]
    [InlineData(null, "one line")]
    [InlineData("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", "ssh-ed25519")]
    [InlineData("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQ==", "is not a ssh-ed25519 public key")]
    [InlineData("restrict ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "no options")]
    [InlineData(Ed25519 + " a-comment", "no comment")]
    public void Should_refuse_a_reverse_device_whose_key_is_missing_or_not_a_plain_key(string? key, string reason)
    {
        var (reply, events) = RegistryState.Empty.Decide(new Enrol(Reverse(key: key)));

        Assert.Contains(reason, Assert.IsType<EnrolRefused>(reply).Reason);
        Assert.Empty(events);
    }

    [Fact]
    public void Should_refuse_a_reverse_device_with_an_address_and_a_direct_device_with_a_key()
    {
        Assert.IsType<EnrolRefused>(RegistryState.Empty.Decide(new Enrol(Reverse() with { SshHost = "10.0.0.5", SshPort = 22 })).Reply);
        Assert.IsType<EnrolRefused>(RegistryState.Empty.Decide(new Enrol(Direct() with { DeviceSshKey = Ed25519 })).Reply);
    }

    [Fact]
    public void Should_encode_a_direct_device_exactly_as_before_the_mode_existed_and_read_an_old_event_as_direct()
    {
        // The bytes a registry wrote before the mode existed: no "mode", no "deviceSshKey".
        var old = IoTSyncCodec.Encode(new DeviceEnrolled(Direct()));
        var text = System.Text.Encoding.UTF8.GetString(old);
        Assert.DoesNotContain("mode", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("deviceSshKey", text, StringComparison.Ordinal);

        var decoded = Assert.IsType<DeviceEnrolled>(IoTSyncCodec.Decode(old, "device-enrolled"));

        Assert.Equal(SessionMode.Direct, decoded.Device.Mode);
        Assert.Null(decoded.Device.DeviceSshKey);
        Assert.Equal(old, IoTSyncCodec.Encode(decoded));
        Assert.Equal(RegistryChain.Next(RegistryChain.Genesis, new DeviceEnrolled(Direct())), RegistryChain.Next(RegistryChain.Genesis, decoded));
    }

    [Fact]
    public void Should_round_trip_a_reverse_device_through_the_journal_with_its_mode_and_key()
    {
        var (_, events) = RegistryState.Empty.Decide(new Enrol(Reverse()));
        var (sealedEvent, _) = RegistryChain.Seal(RegistryChain.Genesis, events[0]);

        var decoded = Assert.IsType<DeviceEnrolled>(IoTSyncCodec.Decode(IoTSyncCodec.Encode(sealedEvent), "device-enrolled"));

        Assert.Equal(SessionMode.Reverse, decoded.Device.Mode);
        Assert.Equal(Ed25519, decoded.Device.DeviceSshKey);
        Assert.Null(RegistryChain.Check(RegistryChain.Genesis, decoded).Problem);
    }

    [Fact]
    public void Should_force_the_relay_for_the_devices_own_id_in_the_mirror_hosts_authorized_keys_line()
    {
        var line = ReverseAuthorizedKeys.Line("/opt/iotsync/bin/iotsync-sync-relay", "/var/lib/iotsync/run/session/session.sock", new DeviceId("dev-rev"),
            DevicePublicKey.Parse(Ed25519 + " pi@board"));

        Assert.Equal(
            "restrict,command=\"/opt/iotsync/bin/iotsync-sync-relay --socket /var/lib/iotsync/run/session/session.sock --device dev-rev\" " + Ed25519 + " iotsync-device-dev-rev",
            line);
    }

    [Theory]
    [InlineData("iotsync-sync-relay")]
    [InlineData("/opt/iotsync/bin/relay;rm")]
    [InlineData("/opt/iot sync/relay\"")]
    [InlineData("/opt/iotsync/bin/relay  --x")]
    public void Should_refuse_a_relay_command_a_shell_could_read_otherwise(string relay)
    {
        Assert.NotNull(ReverseAuthorizedKeys.RelayCommandProblem(relay));
        Assert.Throws<ArgumentException>(() => ReverseAuthorizedKeys.Command(relay, "/run/s.sock", new DeviceId("d")));
    }

    [Fact]
    public void Should_take_a_managed_relay_through_dotnet()
    {
        Assert.Null(ReverseAuthorizedKeys.RelayCommandProblem("/usr/bin/dotnet /opt/iotsync/iotsync-sync-relay.dll"));
    }

    [Fact]
    public void Should_read_an_ecdsa_key_as_init_writes_it()
    {
        var directory = Directory.CreateTempSubdirectory("iotsync-key-").FullName;
        try
        {
            var pair = IoTSync.Mirror.Ssh.MirrorKeyPair.LoadOrCreate(Path.Combine(directory, "device_ssh_key"), "iotsync-device");

            var key = DevicePublicKey.Parse(File.ReadAllText(pair.PrivateKeyPath + ".pub"));

            Assert.Equal("ecdsa-sha2-nistp256", key.Algorithm);
            Assert.EndsWith(" iotsync-device", pair.PublicKeyLine);
            Assert.StartsWith(key.Line, pair.PublicKeyLine);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
