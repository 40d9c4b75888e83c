using IoTSync.Tests.TestBed;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>
/// The device's sshd drop-in the project ships (deploy/sshd/iotsync-device.conf), which every
/// private sshd of the rig, the demo and the bed runs with: sshd accepts it and it is in effect,
/// and an OpenSSH client offering only a weak algorithm gets no session and runs nothing.
/// </summary>
public sealed class DeviceSshdDropInSpecs
{
    [SkippableFact]
    public async Task Should_be_accepted_by_sshd_and_in_effect_key_only_sync_user_only_no_forwarding_and_bounded_pre_authentication()
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(_ => "/bin/true");

        Assert.Contains("AllowUsers @SYNC_USER@", await File.ReadAllTextAsync(PrivateSshd.ShippedDropInFile), StringComparison.Ordinal);
        Assert.Equal("no", await sshd.EffectiveSetting("passwordauthentication"));
        Assert.Equal("no", await sshd.EffectiveSetting("kbdinteractiveauthentication"));
        Assert.Equal("no", await sshd.EffectiveSetting("hostbasedauthentication"));
        Assert.Equal(PrivateSshd.User, await sshd.EffectiveSetting("allowusers"));
        Assert.Equal("no", await sshd.EffectiveSetting("allowtcpforwarding"));
        Assert.Equal("no", await sshd.EffectiveSetting("allowstreamlocalforwarding"));
        Assert.Equal("no", await sshd.EffectiveSetting("allowagentforwarding"));
        Assert.Equal("no", await sshd.EffectiveSetting("x11forwarding"));
        Assert.Equal("no", await sshd.EffectiveSetting("permittunnel"));
        Assert.Equal("yes", await sshd.EffectiveSetting("disableforwarding"));
        Assert.Equal("no", await sshd.EffectiveSetting("permittty"));
        Assert.Equal("10", await sshd.EffectiveSetting("logingracetime"));
        Assert.Equal("10:50:30", await sshd.EffectiveSetting("maxstartups"));
        Assert.Equal("5", await sshd.EffectiveSetting("clientaliveinterval"));
        Assert.Equal("2", await sshd.EffectiveSetting("clientalivecountmax"));
        var kex = (await sshd.EffectiveSetting("kexalgorithms")).Split(',');
        Assert.Contains("curve25519-sha256", kex);
        Assert.DoesNotContain(kex, k => k.Contains("nistp", StringComparison.Ordinal) || k.Contains("sha1", StringComparison.Ordinal) || k.StartsWith("diffie-hellman", StringComparison.Ordinal));
        var macs = (await sshd.EffectiveSetting("macs")).Split(',');
        Assert.All(macs, mac => Assert.Matches("^hmac-sha2-(256|512)-etm@openssh.com$", mac));
        Assert.DoesNotContain((await sshd.EffectiveSetting("ciphers")).Split(','), c => c.Contains("cbc", StringComparison.Ordinal) || c.Contains("3des", StringComparison.Ordinal));
        // The mirror's own key (ECDSA P-256, see MirrorKeyPair) must stay acceptable, or no session opens.
        Assert.Contains("ecdsa-sha2-nistp256", (await sshd.EffectiveSetting("pubkeyacceptedalgorithms")).Split(','));
    }

    [SkippableTheory]
    [InlineData("KexAlgorithms=ecdh-sha2-nistp256", "no matching key exchange method")]
    [InlineData("KexAlgorithms=diffie-hellman-group14-sha1", "no matching key exchange method")]
    [InlineData("MACs=hmac-sha1", "no matching MAC")]
    [InlineData("Ciphers=aes128-cbc", "no matching cipher")]
    public async Task Should_refuse_a_client_that_offers_only_a_weak_algorithm_and_run_nothing(string weak, string refusal)
    {
        TestBedRequirement.SkipUnlessSshd();
        await using var sshd = await PrivateSshd.Start(dir => $"touch '{dir}/ran'");
        // A MAC is negotiated only with a cipher that needs one.
        string[] cipher = weak.StartsWith("MACs=", StringComparison.Ordinal) ? ["-o", "Ciphers=aes128-ctr"] : [];

        var strong = await Ssh(sshd, []);
        Assert.True(strong.Succeeded, $"the control (the client's defaults) failed: {strong.Stderr}");
        File.Delete(sshd.PathOf("ran"));
        var refused = await Ssh(sshd, ["-o", weak, .. cipher]);

        Assert.False(refused.Succeeded);
        Assert.Contains(refusal, refused.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(sshd.PathOf("ran")));
    }

    private static async Task<CliRun> Ssh(PrivateSshd sshd, string[] options)
    {
        var knownHosts = sshd.PathOf("known_hosts");
        await File.WriteAllTextAsync(knownHosts, $"[{sshd.Address}]:{sshd.Port} {await File.ReadAllTextAsync(sshd.PathOf("host_key.pub"))}");
        return await ProcessRunner.Run(
        [
            "ssh", "-F", "/dev/null", "-i", sshd.ClientKeyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={knownHosts}", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=10",
            .. options, "-p", sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{PrivateSshd.User}@{sshd.Address}", "anything",
        ], TimeSpan.FromSeconds(30));
    }
}
