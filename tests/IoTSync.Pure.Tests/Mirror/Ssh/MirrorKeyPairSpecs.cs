using IoTSync.Mirror.Ssh;
using Renci.SshNet;
using Xunit;

namespace IoTSync.Tests.Mirror.Ssh;

/// <summary>The mirror's own key pair, made with .NET: owner-only, readable by SSH.NET, stable across restarts.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorKeyPairSpecs : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("iotsync-key-").FullName;

    private string KeyPath => Path.Combine(_directory, "keys", "mirror_ssh_key");

    [Fact]
    public void Should_make_an_owner_only_key_that_ssh_net_reads_and_keep_it_on_the_next_start()
    {
        var made = MirrorKeyPair.LoadOrCreate(KeyPath);
        var again = MirrorKeyPair.LoadOrCreate(KeyPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Matches("^ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABB[A-Za-z0-9+/=]+ iotsync-mirror$", made.PublicKeyLine);
        Assert.Equal(made.PublicKeyLine, again.PublicKeyLine);
        using var loaded = new PrivateKeyFile(KeyPath);
        Assert.Equal("ecdsa-sha2-nistp256", loaded.Key.ToString());
    }

    [Fact]
    public void Should_write_a_restricted_authorized_keys_line_with_the_command_quoted()
    {
        var key = MirrorKeyPair.LoadOrCreate(KeyPath);

        var line = key.AuthorizedKeysLine("10.0.0.1", "/opt/iotsync/iotsync-device sync-endpoint --config \"/etc/iot sync/device.hocon\"");

        Assert.Equal($"restrict,from=\"10.0.0.1\",command=\"/opt/iotsync/iotsync-device sync-endpoint --config \\\"/etc/iot sync/device.hocon\\\"\" {key.PublicKeyLine}", line);
        Assert.Throws<ArgumentException>(() => key.AuthorizedKeysLine("10.0.0.1\",command=\"sh", "x"));
    }

    [Fact]
    public void Should_refuse_a_key_file_it_did_not_make_and_leave_it_alone()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllText(KeyPath, "not a key");

        var error = Assert.Throws<IOException>(() => MirrorKeyPair.LoadOrCreate(KeyPath));

        Assert.Contains("is not an ECDSA PEM key", error.Message);
        Assert.Equal("not a key", File.ReadAllText(KeyPath));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
