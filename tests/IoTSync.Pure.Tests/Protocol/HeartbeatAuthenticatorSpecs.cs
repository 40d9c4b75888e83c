using IoTSync.Logs;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;

namespace IoTSync.Tests.Protocol;

public sealed class HeartbeatAuthenticatorSpecs
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] OtherKey = Enumerable.Range(2, 32).Select(i => (byte)i).ToArray();
    private static readonly DeviceId Device = new("dev-hb");
    private const long Now = 1_700_000_000_000;

    private static Heartbeat Unsigned(string? nonce = null, WindowReport? previous = null) => new(Device,
        new LogPosition(3, Sha256Hash.Of([1])), new LogPosition(2, Sha256Hash.Of([2])), Sha256Hash.Of([3]), Now, 30_000,
        previous ?? new WindowReport(7, 850, 120, "synced"), nonce ?? HeartbeatAuthenticator.NewNonce(), "");

    [Fact]
    public void Should_accept_a_heartbeat_signed_with_the_devices_key()
    {
        Assert.True(HeartbeatAuthenticator.HasValidMac(HeartbeatAuthenticator.Sign(Unsigned(), Key), Key));
    }

    public static TheoryData<string> Forgeries() =>
    [
        "device", "device-log", "mirror-log", "digest", "sent-at", "cycle-period",
        "window-number", "window-duration", "window-usable-after", "window-outcome", "window-dropped", "nonce", "key", "mac",
    ];

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void Should_reject_a_heartbeat_with_any_field_changed_or_the_wrong_key(string change)
    {
        var signed = HeartbeatAuthenticator.Sign(Unsigned(), Key);
        var forged = change switch
        {
            "device" => signed with { Device = new DeviceId("dev-other") },
            "device-log" => signed with { DeviceLog = signed.DeviceLog with { Length = 4 } },
            "mirror-log" => signed with { MirrorLogSeen = signed.MirrorLogSeen with { Head = Sha256Hash.Of([9]) } },
            "digest" => signed with { StateDigest = Sha256Hash.Of([9]) },
            "sent-at" => signed with { SentAtUnixMs = signed.SentAtUnixMs + 1 },
            "cycle-period" => signed with { CyclePeriodMs = 3_600_000 },
            "window-number" => signed with { PreviousWindow = signed.PreviousWindow! with { Number = 8 } },
            "window-duration" => signed with { PreviousWindow = signed.PreviousWindow! with { DurationMs = 85 } },
            "window-usable-after" => signed with { PreviousWindow = signed.PreviousWindow! with { UsableAfterMs = 12 } },
            "window-outcome" => signed with { PreviousWindow = signed.PreviousWindow! with { Outcome = "nothing to sync" } },
            "window-dropped" => signed with { PreviousWindow = null },
            "nonce" => signed with { Nonce = HeartbeatAuthenticator.NewNonce() },
            "key" => HeartbeatAuthenticator.Sign(Unsigned(), OtherKey),
            _ => signed with { Mac = new string('0', 64) },
        };

        Assert.False(HeartbeatAuthenticator.HasValidMac(forged, Key));
    }

    [Fact]
    public void Should_accept_a_first_window_heartbeat_without_a_report_and_refuse_one_given_a_report_afterwards()
    {
        var first = HeartbeatAuthenticator.Sign(Unsigned() with { PreviousWindow = null }, Key);

        Assert.True(HeartbeatAuthenticator.HasValidMac(first, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(first with { PreviousWindow = new WindowReport(1, 0, 0, "") }, Key));
    }

    [Fact]
    public void Should_bind_an_ack_to_its_fields_and_key()
    {
        var ack = HeartbeatAuthenticator.Sign(new HeartbeatAck(Device, HeartbeatAction.Sync, "s1", new LogPosition(1, Sha256Hash.Of([1])), Now, "", "ab", ""), Key);

        Assert.True(HeartbeatAuthenticator.HasValidMac(ack, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(ack with { Action = HeartbeatAction.None }, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(ack with { HeartbeatNonce = "cd" }, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(ack, OtherKey));
    }

    [Fact]
    public void Should_bind_a_session_abandoned_to_its_fields_and_key()
    {
        var abandoned = HeartbeatAuthenticator.Sign(new SessionAbandoned(Device, "s1", "host key mismatch", ""), Key);

        Assert.True(HeartbeatAuthenticator.HasValidMac(abandoned, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(abandoned with { SessionId = "s2" }, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(abandoned with { Reason = "other" }, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(abandoned with { Device = new DeviceId("other") }, Key));
        Assert.False(HeartbeatAuthenticator.HasValidMac(abandoned, OtherKey));
    }

    [Fact]
    public void Should_refuse_a_short_key()
    {
        Assert.Throws<ArgumentException>(() => HeartbeatAuthenticator.Sign(Unsigned(), new byte[16]));
    }

    [Fact]
    public void Should_refuse_a_replayed_nonce_and_one_outside_the_time_window()
    {
        var window = new NonceWindow(TimeSpan.FromSeconds(30));
        var nonce = HeartbeatAuthenticator.NewNonce();

        Assert.Equal(HeartbeatRejection.None, window.Admit(nonce, Now, Now + 1_000));
        Assert.Equal(HeartbeatRejection.Replayed, window.Admit(nonce, Now, Now + 2_000));
        Assert.Equal(HeartbeatRejection.OutsideTimeWindow, window.Admit(HeartbeatAuthenticator.NewNonce(), Now, Now + 31_000));
        Assert.Equal(HeartbeatRejection.OutsideTimeWindow, window.Admit(HeartbeatAuthenticator.NewNonce(), Now + 31_000, Now));
        Assert.Equal(HeartbeatRejection.MalformedNonce, window.Admit("not-hex", Now, Now));
    }

    [Fact]
    public void Should_forget_nonces_that_can_no_longer_pass_the_time_check_and_still_refuse_their_replay()
    {
        var window = new NonceWindow(TimeSpan.FromSeconds(30), maxRemembered: 10);
        var old = HeartbeatAuthenticator.NewNonce();
        Assert.Equal(HeartbeatRejection.None, window.Admit(old, Now, Now));
        for (var i = 1; i <= 5; i++)
            Assert.Equal(HeartbeatRejection.None, window.Admit(HeartbeatAuthenticator.NewNonce(), Now + i * 20_000, Now + i * 20_000));

        Assert.Equal(HeartbeatRejection.OutsideTimeWindow, window.Admit(old, Now, Now + 100_000));
    }
}
