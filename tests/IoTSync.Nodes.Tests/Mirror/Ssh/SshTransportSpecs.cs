using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using IoTSync.Logs;
using IoTSync.Mirror.Ssh;
using IoTSync.Model;
using IoTSync.Protocol;
using IoTSync.Serialization;
using IoTSync.Tests.TestBed;
using Xunit;

namespace IoTSync.Tests.Mirror.Ssh;

/// <summary>
/// The mirror's SSH transport against a real OpenSSH sshd on loopback: framed requests through a
/// forced command, the pinned host key, key-only authentication, and a bounded close.
/// </summary>
public sealed class SshTransportSpecs
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);
    private static readonly DeviceId Device = new("dev-ssh");
    private const string Echo = "/bin/cat";

    [SkippableFact]
    public async Task Should_carry_a_framed_hello_through_the_forced_command_and_back()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo);
        var hello = Hello();

        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        var answer = await session.Channel.Send(hello, Timeout());

        Assert.Equal(IoTSyncCodec.Encode(hello), IoTSyncCodec.Encode(Assert.IsType<Hello>(answer)));
        Assert.Equal(sshd.HostKey, session.HostKey);
        Assert.Equal("ssh-ed25519", session.HostKeyAlgorithm);
        Assert.StartsWith("SSH-2.0-OpenSSH", session.ServerVersion);
    }

    [SkippableFact]
    public async Task Should_carry_a_batch_of_entries_larger_than_an_ssh_packet()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo);
        var log = new TestLog(Device, Origin.Mirror);
        for (var i = 0; i < 500; i++)
            log.Command("deploy", $"artifact-{i}", new string('x', 200));
        var push = new PushEntries([.. log.Entries]);

        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        var first = await session.Channel.Send(push, Timeout());
        var second = await session.Channel.Send(Hello(), Timeout());

        Assert.True(IoTSyncCodec.Encode(push).Length > 100_000);
        Assert.Equal(log.Entries, Assert.IsType<PushEntries>(first).Entries);
        Assert.IsType<Hello>(second);
    }

    [SkippableFact]
    public async Task Should_pin_the_fingerprint_that_ssh_keygen_prints_for_the_host_key()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo);
        // The key blob is the base64 field of the .pub line; its SHA-256 is what OpenSSH prints.
        var blob = Convert.FromBase64String(File.ReadAllText(sshd.PathOf("host_key.pub")).Split(' ')[1]);

        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());

        Assert.Equal(sshd.HostKey, HostKeyFingerprint.OfKey(blob));
        Assert.Equal(sshd.HostKey, session.HostKey);
        Assert.True(session.Timings.Authenticated > TimeSpan.Zero);
    }

    [SkippableFact]
    public async Task Should_refuse_a_host_key_other_than_the_pinned_one_before_authenticating_and_run_nothing()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"touch '{dir}/ran'; exec {Echo}");
        var otherKey = await PrivateSshd.Fingerprint(await sshd.NewKey("other_host") + ".pub");
        var settings = new SshTransportSettings("127.0.0.1", sshd.Port, PrivateSshd.User, sshd.ClientKeyPath, otherKey);

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => SshTransport.Open(settings, Timeout()));
        // The server notices the dropped connection before authentication ("[preauth]").
        await sshd.WaitForLog(new Regex(@"(Connection closed|Connection reset|Disconnected|disconnect).*\[preauth\]"));

        Assert.Equal(otherKey, error.Expected);
        Assert.Equal(sshd.HostKey, error.Received);
        Assert.Contains(otherKey.Value, error.Message);
        Assert.Contains(sshd.HostKey.Value, error.Message);
        Assert.DoesNotContain("userauth-request", sshd.Log);
        Assert.DoesNotContain("Accepted publickey", sshd.Log);
        Assert.False(File.Exists(sshd.PathOf("ran")), "the forced command ran although the host key was wrong");
    }

    [SkippableFact]
    public async Task Should_fail_authentication_with_a_key_the_device_does_not_list()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"touch '{dir}/ran'; exec {Echo}");
        var stranger = await sshd.NewKey("stranger");
        var settings = new SshTransportSettings("127.0.0.1", sshd.Port, PrivateSshd.User, stranger, sshd.HostKey);

        var error = await Assert.ThrowsAsync<SshAuthenticationFailedException>(() => SshTransport.Open(settings, Timeout()));

        Assert.Contains("refused the mirror's key", error.Message);
        Assert.False(File.Exists(sshd.PathOf("ran")));
    }

    [SkippableFact]
    public async Task Should_try_only_key_authentication_even_when_the_server_offers_passwords()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo,
            new SshdOptions { ExtraConfig = ["PasswordAuthentication yes", "KbdInteractiveAuthentication yes"] });
        var stranger = await sshd.NewKey("stranger");
        var settings = new SshTransportSettings("127.0.0.1", sshd.Port, PrivateSshd.User, stranger, sshd.HostKey);

        await Assert.ThrowsAsync<SshAuthenticationFailedException>(() => SshTransport.Open(settings, Timeout()));
        await sshd.WaitForLog(new Regex(@"(Connection closed|Disconnected|disconnect).*\[preauth\]"));

        // sshd logs each attempt as "userauth-request for user U service ssh-connection method M".
        var methods = Regex.Matches(sshd.Log, @"userauth-request for user \S+ service \S+ method (\S+)")
            .Select(m => m.Groups[1].Value).ToHashSet();
        Assert.Contains("publickey", methods);
        Assert.Subset(new HashSet<string> { "none", "publickey" }, methods);
        Assert.Equal("yes", await sshd.EffectiveSetting("passwordauthentication"));
        Assert.Equal("yes", await sshd.EffectiveSetting("kbdinteractiveauthentication"));
    }

    [SkippableFact]
    public async Task Should_run_the_forced_command_and_not_the_command_the_mirror_asks_for()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"printf '%s' \"$SSH_ORIGINAL_COMMAND\" > '{dir}/original'; exec {Echo}");
        var requested = $"touch {sshd.PathOf("pwned")}";

        await using (var session = await SshTransport.Open(sshd.Settings() with { RemoteCommand = requested }, Timeout()))
            Assert.IsType<Hello>(await session.Channel.Send(Hello(), Timeout()));

        Assert.Equal(requested, await File.ReadAllTextAsync(sshd.PathOf("original")));
        Assert.False(File.Exists(sshd.PathOf("pwned")), "the requested command ran instead of the forced one");
    }

    [SkippableFact]
    public async Task Should_end_the_remote_command_and_the_connection_when_disposed()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"echo $$ > '{dir}/pid'; exec {Echo}");
        var session = await SshTransport.Open(sshd.Settings(), Timeout());
        Assert.IsType<Hello>(await session.Channel.Send(Hello(), Timeout()));
        var remote = int.Parse(await File.ReadAllTextAsync(sshd.PathOf("pid")));
        Assert.NotEmpty(sshd.SessionProcesses());

        var closing = Stopwatch.StartNew();
        var end = await session.Close();
        closing.Stop();

        Assert.True(end.EndedInTime, "cat did not end after end of input");
        Assert.Equal(0, end.ExitStatus);
        Assert.True(closing.Elapsed < sshd.Settings().CloseTimeout + TimeSpan.FromSeconds(1), $"close took {closing.Elapsed}");
        await Polling.Until(() => Task.FromResult(!Directory.Exists($"/proc/{remote}") && sshd.SessionProcesses().Count == 0), Bound);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => session.Channel.Send(Hello(), Timeout()));
        Assert.Same(session.Close(), session.Close());
    }

    [SkippableFact]
    public async Task Should_end_the_remote_command_when_disposed_before_any_request()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"echo $$ > '{dir}/pid'; exec {Echo}");
        var session = await SshTransport.Open(sshd.Settings(), Timeout());
        await Polling.Until(() => Task.FromResult(File.Exists(sshd.PathOf("pid")) && File.ReadAllText(sshd.PathOf("pid")).EndsWith('\n')), Bound);
        var remote = int.Parse(await File.ReadAllTextAsync(sshd.PathOf("pid")));

        var closing = Stopwatch.StartNew();
        await session.DisposeAsync();
        closing.Stop();

        Assert.True(closing.Elapsed < sshd.Settings().CloseTimeout + TimeSpan.FromSeconds(1), $"close took {closing.Elapsed}");
        await Polling.Until(() => Task.FromResult(!Directory.Exists($"/proc/{remote}") && sshd.SessionProcesses().Count == 0), Bound);
    }

    [SkippableFact]
    public async Task Should_close_within_the_close_timeout_when_the_remote_command_ignores_end_of_input()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"echo $$ > '{dir}/pid'; exec sleep 30");
        var settings = sshd.Settings() with { CloseTimeout = TimeSpan.FromMilliseconds(500) };
        var session = await SshTransport.Open(settings, Timeout());
        var request = session.Channel.Send(Hello(), Timeout());
        await Polling.Until(() => Task.FromResult(File.Exists(sshd.PathOf("pid")) && File.ReadAllText(sshd.PathOf("pid")).EndsWith('\n')), Bound);
        var remote = int.Parse(await File.ReadAllTextAsync(sshd.PathOf("pid")));
        try
        {
            var closing = Stopwatch.StartNew();
            var end = await session.Close();
            closing.Stop();

            Assert.False(end.EndedInTime);
            Assert.True(closing.Elapsed < TimeSpan.FromSeconds(2), $"close took {closing.Elapsed}");
            await Assert.ThrowsAnyAsync<Exception>(() => request.WaitAsync(Bound));
            // OpenSSH neither signals a forced command (it refuses) nor ends one without a pty when the
            // client goes: the device's sync-endpoint has to end on end of input by itself.
            await Polling.Until(() => Task.FromResult(sshd.SessionProcesses().Count == 0), Bound);
            Assert.True(Directory.Exists($"/proc/{remote}"), "expected OpenSSH to leave the forced command running");
        }
        finally
        {
            KillQuietly(remote);
        }
    }

    [SkippableFact]
    public async Task Should_say_how_the_remote_command_ended_when_it_ends_instead_of_answering()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => "echo 'iotsync-device: no node running' >&2; exit 3");
        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());

        var error = await Assert.ThrowsAsync<SshTransportException>(() => session.Channel.Send(Hello(), Timeout()));

        Assert.Contains("exit 3", error.Message);
        Assert.Contains("no node running", error.Message);
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Channel.Send(Hello(), Timeout()));
    }

    [SkippableFact]
    public async Task Should_give_control_back_when_a_request_is_cancelled_and_refuse_the_broken_channel_afterwards()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => "exec cat > /dev/null");
        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var waited = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => session.Channel.Send(Hello(), cancel.Token));
        waited.Stop();

        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(5), $"cancellation took {waited.Elapsed}");
        await Assert.ThrowsAsync<InvalidOperationException>(() => session.Channel.Send(Hello(), Timeout()));
        var end = await session.Close();
        Assert.True(end.EndedInTime);
    }

    [SkippableFact]
    public async Task Should_report_connect_timings_in_the_order_the_steps_happen()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo);

        await using var session = await SshTransport.Open(sshd.Settings(), Timeout());
        var t = session.Timings;

        Assert.True(TimeSpan.Zero < t.ServerIdentified, $"{t}");
        Assert.True(t.ServerIdentified <= t.HostKeyVerified, $"{t}");
        Assert.True(t.HostKeyVerified <= t.Authenticated, $"{t}");
        Assert.True(t.Authenticated <= t.CommandStarted, $"{t}");
        Assert.Equal(t.Authenticated, t.ConnectAndAuthenticate);
        Assert.True(t.CommandStarted < Bound, $"{t}");
    }

    [SkippableFact]
    public async Task Should_offer_only_the_configured_key_exchange()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => Echo);

        await using var session = await SshTransport.Open(sshd.Settings() with { KeyExchangeAlgorithms = ["curve25519-sha256"] }, Timeout());

        Assert.Equal("curve25519-sha256", session.KeyExchangeAlgorithm);
        Assert.IsType<Hello>(await session.Channel.Send(Hello(), Timeout()));
    }

    [Fact]
    public async Task Should_fail_within_the_connect_timeout_when_the_server_never_speaks()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = silent.AcceptTcpClientAsync();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var key = await UnusedKeyFile();
        var settings = new SshTransportSettings("127.0.0.1", port, "nobody", key, AnyFingerprint)
            with { ConnectTimeout = TimeSpan.FromMilliseconds(500) };

        var waited = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SshTransportException>(() => SshTransport.Open(settings, Timeout()));
        waited.Stop();

        Assert.Contains("took longer than 0.5 s", error.Message);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(3), $"gave up after {waited.Elapsed}");
        (await accepted).Dispose();
        File.Delete(key);
    }

    [Fact]
    public async Task Should_fail_clearly_when_nothing_listens()
    {
        var key = await UnusedKeyFile();
        var settings = new SshTransportSettings("127.0.0.1", ClosedPort(), "nobody", key, AnyFingerprint);

        var error = await Assert.ThrowsAsync<SshTransportException>(() => SshTransport.Open(settings, Timeout()));

        Assert.StartsWith("cannot open an SSH session to 127.0.0.1:", error.Message);
        File.Delete(key);
    }

    [Fact]
    public async Task Should_fail_clearly_when_the_private_key_cannot_be_read()
    {
        var settings = new SshTransportSettings("127.0.0.1", 22, "nobody", "/nonexistent/iotsync/key", AnyFingerprint);

        var error = await Assert.ThrowsAsync<SshTransportException>(() => SshTransport.Open(settings, Timeout()));

        Assert.StartsWith("cannot read the mirror's private key /nonexistent/iotsync/key", error.Message);
    }

    private const string AnyFingerprint = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private static void KillQuietly(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static Hello Hello() => new(Device, "ssh-session", ExchangeMessage.ProtocolVersion, LogPair.Empty(Device).View);

    private static CancellationToken Timeout() => new CancellationTokenSource(Bound).Token;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A private key no server knows, for tests that never get as far as authenticating.</summary>
    private static async Task<string> UnusedKeyFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"iotsync-key-{Guid.NewGuid():N}");
        var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        await File.WriteAllTextAsync(path, key.ExportECPrivateKeyPem());
        return path;
    }
}
