using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;

namespace IoTSync.Tests.Mirror;

/// <summary>Which key a heartbeat may be signed with: the current one, a retired one during its overlap, nothing for a disabled device.</summary>
public sealed class HeartbeatKeysSpecs
{
    private static readonly DeviceId Dev = new("dev-k");
    private static readonly string OldKey = new('7', 64);
    private static readonly string NewKey = new('8', 64);
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);

    private static EnrolledDevice Device(string key = "", bool disabled = false, RetiredCredentials? retired = null) =>
        new(Dev, "127.0.0.1", 22, "iotsync", "SHA256:" + new string('A', 43), key.Length > 0 ? key : OldKey, 0, disabled, retired);

    private static Heartbeat SignedWith(string key) =>
        HeartbeatAuthenticator.Sign(new Heartbeat(Dev, new LogPosition(0, Sha256Hash.Zero), new LogPosition(0, Sha256Hash.Zero), Sha256Hash.Zero, 1_000, 2_000,
            null, HeartbeatAuthenticator.NewNonce(), ""), Convert.FromHexString(key));

    [Fact]
    public void Should_match_the_current_key()
    {
        var (key, refusal) = Device().HeartbeatKeysAt(1_000, Overlap).Match(SignedWith(OldKey));

        Assert.Equal(Convert.FromHexString(OldKey), key);
        Assert.Equal("", refusal);
    }

    [Fact]
    public void Should_refuse_every_key_of_a_disabled_device()
    {
        var (key, refusal) = Device(disabled: true).HeartbeatKeysAt(1_000, Overlap).Match(SignedWith(OldKey));

        Assert.Null(key);
        Assert.Contains("disabled", refusal);
    }

    [Fact]
    public void Should_match_the_retired_key_during_the_overlap_and_the_new_one_always()
    {
        var rotated = Device(NewKey, retired: new RetiredCredentials(OldKey, 1_000));

        Assert.Equal(Convert.FromHexString(OldKey), rotated.HeartbeatKeysAt(600_999, Overlap).Match(SignedWith(OldKey)).Key);
        Assert.Equal(Convert.FromHexString(NewKey), rotated.HeartbeatKeysAt(600_999, Overlap).Match(SignedWith(NewKey)).Key);
        Assert.Equal(Convert.FromHexString(NewKey), rotated.HeartbeatKeysAt(10_000_000, Overlap).Match(SignedWith(NewKey)).Key);
    }

    [Fact]
    public void Should_refuse_the_retired_key_once_the_overlap_has_ended()
    {
        var rotated = Device(NewKey, retired: new RetiredCredentials(OldKey, 1_000));

        var (key, refusal) = rotated.HeartbeatKeysAt(601_000, Overlap).Match(SignedWith(OldKey));

        Assert.Null(key);
        Assert.Contains("retired", refusal);
    }

    [Fact]
    public void Should_refuse_a_foreign_key_and_an_unknown_device()
    {
        var foreign = new string('5', 64);

        Assert.Equal("bad MAC", Device().HeartbeatKeysAt(1_000, Overlap).Match(SignedWith(foreign)).Refusal);
        Assert.Contains("not enrolled", HeartbeatKeys.NotEnrolled.Match(SignedWith(OldKey)).Refusal);
    }

    [Fact]
    public void Should_try_the_retired_ssh_key_after_the_current_one_only_during_the_overlap()
    {
        var rotated = Device(NewKey, retired: new RetiredCredentials(OldKey, 1_000, "")) with { MirrorKeyFile = "/keys/mirror.dev-k.1000" };

        Assert.Equal(["/keys/mirror.dev-k.1000", ""], rotated.SshKeysAt(600_999, Overlap).ToArray());
        Assert.Equal(["/keys/mirror.dev-k.1000"], rotated.SshKeysAt(601_000, Overlap).ToArray());
        Assert.Equal([""], Device().SshKeysAt(1_000, Overlap).ToArray());
    }
}
