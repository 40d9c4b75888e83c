using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>Which TLS certificate of a device the mirror admits, decided from the registry's state alone.</summary>
public sealed class CertificatePinSpecs
{
    private static readonly DeviceId Dev = new("dev-pin");
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(10);
    private static readonly CertificatePin First = new(new string('a', 64), 1_800_000_000_000);
    private static readonly CertificatePin Second = new(new string('b', 64), 1_900_000_000_000);
    private static readonly CertificatePin Stranger = new(new string('c', 64), 1_900_000_000_000);
    private const long RotatedAt = 1_700_000_100_000;

    private static EnrolledDevice Details(CertificatePin? pin) =>
        new(Dev, "127.0.0.1", 2222, "iotsync", "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", new string('7', 64), 1_700_000_000_000, Certificate: pin);

    private static RegistryState Enrolled(CertificatePin? pin) => RegistryState.Empty.Apply(new DeviceEnrolled(Details(pin)));

    private static EnrolledDevice Rotated(RegistryState state, CertificatePin? pin, char key = '8')
    {
        var (reply, events) = state.Decide(new Rotate(Dev, new string(key, 64), RotatedAt, "", pin));
        Assert.IsType<DeviceChanged>(reply);
        return events.Aggregate(state, (s, e) => s.Apply(e)).ById[Dev.Value];
    }

    [Fact]
    public void Should_admit_only_the_pinned_certificate()
    {
        var device = Enrolled(First).ById[Dev.Value];

        Assert.Null(device.CertificateProblemAt(First, RotatedAt, Overlap));
        Assert.Contains("not the one pinned", device.CertificateProblemAt(Stranger, RotatedAt, Overlap));
    }

    [Fact]
    public void Should_admit_any_certificate_of_a_device_enrolled_without_a_pin_until_its_first_rotation_with_one()
    {
        var device = Enrolled(null).ById[Dev.Value];

        Assert.Null(device.CertificateProblemAt(Stranger, RotatedAt, Overlap));
    }

    [Fact]
    public void Should_honour_the_replaced_certificate_only_until_the_overlap_ends_and_the_new_one_from_the_rotation_on()
    {
        var device = Rotated(Enrolled(First), Second);
        var end = RotatedAt + (long)Overlap.TotalMilliseconds;

        Assert.Equal(Second, device.Certificate);
        Assert.Null(device.CertificateProblemAt(Second, RotatedAt, Overlap));
        Assert.Null(device.CertificateProblemAt(First, end - 1, Overlap));
        Assert.Contains($"honoured until {end}", device.CertificateProblemAt(First, end, Overlap));
        Assert.Null(device.CertificateProblemAt(Second, end, Overlap));
        Assert.NotNull(device.CertificateProblemAt(Stranger, RotatedAt, Overlap));
    }

    [Fact]
    public void Should_honour_any_certificate_of_an_unpinned_device_during_the_overlap_of_its_first_pinning_rotation_and_only_the_pinned_one_after()
    {
        var device = Rotated(Enrolled(null), Second);
        var end = RotatedAt + (long)Overlap.TotalMilliseconds;

        Assert.Null(device.CertificateProblemAt(Stranger, end - 1, Overlap));
        Assert.NotNull(device.CertificateProblemAt(Stranger, end, Overlap));
        Assert.Null(device.CertificateProblemAt(Second, end, Overlap));
    }

    [Fact]
    public void Should_keep_the_pinned_and_the_replaced_certificate_through_a_rotation_without_one()
    {
        var pinned = Rotated(Enrolled(First), Second);
        var state = RegistryState.Empty.Apply(new DeviceEnrolled(pinned));

        var device = Rotated(state, null, key: '9');

        Assert.Equal(Second, device.Certificate);
        Assert.Equal(pinned.PreviousCertificate, device.PreviousCertificate);
    }

    [Fact]
    public void Should_refuse_every_certificate_of_a_disabled_device()
    {
        var device = Enrolled(First).ById[Dev.Value] with { Disabled = true };

        Assert.Contains("disabled", device.CertificateProblemAt(First, RotatedAt, Overlap));
    }

    [Fact]
    public void Should_refuse_a_rotation_to_the_current_or_previous_certificate_and_write_nothing()
    {
        var state = RegistryState.Empty.Apply(new DeviceEnrolled(Rotated(Enrolled(First), Second)));

        foreach (var pin in new[] { First, Second })
        {
            var (reply, events) = state.Decide(new Rotate(Dev, new string('9', 64), RotatedAt + 1, "", pin));
            Assert.Contains("certificate", Assert.IsType<ChangeRefused>(reply).Reason);
            Assert.Empty(events);
        }
    }

    [Fact]
    public void Should_keep_the_pin_when_re_enrolled_without_a_certificate_and_take_a_new_one_with_one()
    {
        var (_, kept) = Enrolled(First).Decide(new Enrol(Details(null)));
        var (_, replaced) = Enrolled(First).Decide(new Enrol(Details(Second)));

        Assert.Equal(First, Assert.Single(kept).Device.Certificate);
        Assert.Equal(Second, Assert.Single(replaced).Device.Certificate);
    }

    [Fact]
    public void Should_read_events_and_snapshots_written_before_pins_as_devices_without_one()
    {
        // As an older registry wrote them: no certificate fields at all.
        var enrolled = (DeviceEnrolled)IoTSyncCodec.Decode(
            """{"device":{"device":"dev-pin","sshHost":"127.0.0.1","sshPort":2222,"sshUser":"iotsync","hostKeyFingerprint":"SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ","heartbeatKey":"7777777777777777777777777777777777777777777777777777777777777777","enrolledAtUnixMs":1700000000000}}"""u8,
            "device-enrolled");
        var rotated = (CredentialsRotated)IoTSyncCodec.Decode(
            """{"device":"dev-pin","heartbeatKey":"8888888888888888888888888888888888888888888888888888888888888888","atUnixMs":1700000100000,"mirrorKeyFile":""}"""u8,
            "credentials-rotated");

        var device = RegistryState.Empty.Apply(enrolled).Apply(rotated).ById[Dev.Value];

        Assert.Null(device.Certificate);
        Assert.Null(device.PreviousCertificate);
        Assert.Null(device.CertificateProblemAt(Stranger, RotatedAt, Overlap));
    }
}
