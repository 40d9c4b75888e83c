using IoTSync.Tests.TestBed;
using Xunit;

namespace IoTSync.Tests.Reverse;

/// <summary>
/// The mirror host's sshd drop-in the project ships (deploy/sshd/iotsync-mirror.conf), which reverse-mode
/// devices dial: sshd accepts it, keys only and strong algorithms for everyone, and for the sync account
/// nothing but its forced relay (no forwarding, no terminal, one channel, a dead peer noticed).
/// </summary>
public sealed class MirrorSshdDropInSpecs
{
    [SkippableFact]
    public async Task Should_be_accepted_by_sshd_and_in_effect_key_only_sync_user_only_no_forwarding_for_the_sync_account()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => "/bin/true", new SshdOptions { DropIn = PrivateSshd.MirrorDropIn });
        var user = PrivateSshd.User;

        Assert.Contains("AllowUsers @SYNC_USER@", await File.ReadAllTextAsync(PrivateSshd.ShippedDropInFileOf(PrivateSshd.MirrorDropIn)), StringComparison.Ordinal);
        Assert.Equal("no", await sshd.EffectiveSetting("passwordauthentication"));
        Assert.Equal("no", await sshd.EffectiveSetting("kbdinteractiveauthentication"));
        Assert.Equal("no", await sshd.EffectiveSetting("hostbasedauthentication"));
        Assert.Equal(user, await sshd.EffectiveSetting("allowusers"));
        Assert.Equal("10", await sshd.EffectiveSetting("logingracetime"));
        Assert.Equal("2", await sshd.EffectiveSetting("maxauthtries"));
        Assert.Equal("10:50:30", await sshd.EffectiveSetting("maxstartups"));
        foreach (var (keyword, value) in new[]
                 {
                     ("allowtcpforwarding", "no"), ("allowstreamlocalforwarding", "no"), ("allowagentforwarding", "no"), ("x11forwarding", "no"),
                     ("permittunnel", "no"), ("disableforwarding", "yes"), ("permittty", "no"), ("permituserrc", "no"), ("maxsessions", "1"),
                     ("clientaliveinterval", "5"), ("clientalivecountmax", "2"),
                 })
            Assert.Equal(value, await sshd.EffectiveSetting(keyword, forUser: user));
        var kex = (await sshd.EffectiveSetting("kexalgorithms")).Split(',');
        Assert.Contains("curve25519-sha256", kex);
        Assert.DoesNotContain(kex, k => k.Contains("nistp", StringComparison.Ordinal) || k.Contains("sha1", StringComparison.Ordinal) || k.StartsWith("diffie-hellman", StringComparison.Ordinal));
        Assert.All((await sshd.EffectiveSetting("macs")).Split(','), mac => Assert.Matches("^hmac-sha2-(256|512)-etm@openssh.com$", mac));
        Assert.DoesNotContain((await sshd.EffectiveSetting("ciphers")).Split(','), c => c.Contains("cbc", StringComparison.Ordinal) || c.Contains("3des", StringComparison.Ordinal));
        // A device's own key (ECDSA P-256, made by init --mode reverse) must stay acceptable.
        Assert.Contains("ecdsa-sha2-nistp256", (await sshd.EffectiveSetting("pubkeyacceptedalgorithms")).Split(','));
    }

    [SkippableFact]
    public async Task Should_refuse_forwarding_and_a_terminal_to_the_sync_account_and_run_only_the_forced_command()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"touch '{dir}/ran'", new SshdOptions { DropIn = PrivateSshd.MirrorDropIn });
        var knownHosts = sshd.PathOf("known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{sshd.Address}]:{sshd.Port} {await File.ReadAllTextAsync(sshd.PathOf("host_key.pub"))}");

        string[] argv =
        [
            "ssh", "-F", "/dev/null", "-i", sshd.ClientKeyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", $"UserKnownHostsFile={knownHosts}",
            "-o", "StrictHostKeyChecking=yes", "-L", $"127.0.0.1:{PrivateSshd.FreePort()}:127.0.0.1:{sshd.Port}", "-tt",
            "-p", sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{PrivateSshd.User}@{sshd.Address}", "id",
        ];
        var forwarded = await ProcessRunner.Run(argv, TimeSpan.FromSeconds(30));
        var everyOutput = forwarded.Stdout;
        // Exit 255 is the client's own failure (seen on a loaded machine right after sshd started the session): asked again, twice at most.
        for (var retry = 0; retry < 2 && forwarded.ExitCode == 255 && !File.Exists(sshd.PathOf("ran")); retry++)
        {
            forwarded = await ProcessRunner.Run(argv, TimeSpan.FromSeconds(30));
            everyOutput += forwarded.Stdout;
        }

        // Either the forwarding is refused outright, or the session runs the forced command alone: never 'id'.
        Assert.DoesNotContain("uid=", everyOutput, StringComparison.Ordinal);
        Assert.True(File.Exists(sshd.PathOf("ran")), $"the forced command did not run: {forwarded}\n--- sshd\n{sshd.Log}");
    }
}
