using Akka.Configuration;
using IoTSync.Device;
using IoTSync.Mirror.Reverse;
using Xunit;

namespace IoTSync.Tests.Configuration;

/// <summary>Reverse mode's settings as the nodes read them from the shipped files and an operator's overrides.</summary>
public sealed class ReverseConfigSpecs
{
    private static string HoconFile(string name) => Path.Combine(AppContext.BaseDirectory, "hocon", name);

    private static Config Device(string overrides) =>
        ConfigurationFactory.ParseString(overrides).WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile("device.hocon")));

    private const string Pin = "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ";

    [Fact]
    public void Should_leave_a_shipped_device_in_direct_mode()
    {
        Assert.Null(ReverseDialSettings.FromConfig(IoTSyncSystem.LoadNodeConfig(HoconFile("device.hocon"))));
    }

    [Fact]
    public void Should_read_a_reverse_devices_dial_with_the_mirror_hosts_key_pinned()
    {
        var settings = ReverseDialSettings.FromConfig(Device($$"""
            iotsync.device.mode = reverse
            iotsync.device.reverse { host = "mirror.example", port = 2222, host-key = "{{Pin}}", key-file = "/var/lib/iotsync/device_ssh_key" }
            """))!;

        Assert.Equal(("mirror.example", 2222, "iotsync-sync"), (settings.Host, settings.Port, settings.User));
        Assert.Equal(Pin, settings.HostKey.Value);
        var transport = settings.Transport(TimeSpan.FromSeconds(1));
        Assert.Equal("the device's", transport.KeyOwner);
        Assert.Equal("iotsync-sync-relay", transport.RemoteCommand);
        Assert.Equal(["curve25519-sha256", "curve25519-sha256@libssh.org"], transport.KeyExchangeAlgorithms.ToArray());
    }

    [Fact]
    public void Should_dial_the_answering_mirrors_host_when_the_host_is_empty()
    {
        var settings = ReverseDialSettings.FromConfig(Device($$"""
            iotsync.device.mode = reverse
            iotsync.device.reverse { host = "", port = 2222, host-key = "{{Pin}}", key-file = "/var/lib/iotsync/device_ssh_key" }
            """))!;

        Assert.True(settings.FollowsAnsweringMirror);
        Assert.Equal("10.0.0.7", settings.Transport(TimeSpan.FromSeconds(1), "10.0.0.7:4053").Host);
        Assert.Equal("mirror-b.example", settings.HostFor("mirror-b.example:4053"));
        Assert.Throws<InvalidOperationException>(() => settings.HostFor(null));
        Assert.Contains("the answering mirror's host", settings.ToString());
    }

    [Theory]
    [InlineData("iotsync.device.mode = sideways", "direct or reverse")]
    [InlineData("iotsync.device.mode = reverse", "host-key")]
    [InlineData("iotsync.device.mode = reverse\niotsync.device.reverse.host-key = \"MD5:aa\"", "host-key")]
    [InlineData("iotsync.device.mode = reverse\niotsync.device.reverse { host-key = \"" + Pin + "\", host = \"mirror .example\" }", "reverse.host")]
    public void Should_refuse_a_mode_or_a_reverse_dial_it_cannot_use(string overrides, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() => ReverseDialSettings.FromConfig(Device(overrides)));

        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void Should_serve_no_reverse_sessions_until_a_session_socket_is_configured()
    {
        Assert.Null(ReverseSettings.FromConfig(IoTSyncSystem.LoadNodeConfig(HoconFile("mirror.hocon"))));
    }

    [Fact]
    public void Should_give_a_configured_session_socket_an_absolute_relay_by_default()
    {
        var settings = ReverseSettings.FromConfig(ConfigurationFactory.ParseString("iotsync.mirror.reverse.session-socket = \"run/session/session.sock\"")
            .WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile("mirror.hocon"))))!;

        Assert.True(Path.IsPathFullyQualified(settings.SessionSocket));
        Assert.Equal("session.sock", Path.GetFileName(settings.SessionSocket));
        Assert.Equal("/opt/iotsync/bin/iotsync-sync-relay", settings.RelayCommand);
        Assert.Equal("", settings.SessionSocketGroup);
        Assert.True(settings.ArrivalHold > TimeSpan.Zero && settings.ArrivalTimeout > TimeSpan.Zero);
    }

    [Fact]
    public void Should_refuse_a_relay_command_sshd_would_not_find_or_a_shell_would_split()
    {
        var config = ConfigurationFactory.ParseString("iotsync.mirror.reverse { session-socket = \"/run/s.sock\", relay-command = \"iotsync-sync-relay; id\" }")
            .WithFallback(IoTSyncSystem.LoadNodeConfig(HoconFile("mirror.hocon")));

        Assert.Contains("relay-command", Assert.Throws<ConfigurationException>(() => ReverseSettings.FromConfig(config)).Message);
    }
}
