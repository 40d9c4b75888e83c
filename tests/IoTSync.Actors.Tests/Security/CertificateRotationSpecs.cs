using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using IoTSync.Mirror;
using IoTSync.MirrorApi.Client;
using IoTSync.Model;
using IoTSync.Protocol;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Security;

/// <summary>
/// The pinned certificate and its rotation, through real mutual-TLS associations on loopback: the mirror
/// admits the certificate the registry pinned for a device; after <c>device rotate --csr</c> (through the
/// control socket, as the CLI sends it) the new one, and the old one only while the overlap lasts; a
/// certificate the fleet CA signed for the device but that was never pinned is refused, and changes nothing.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CertificateRotationSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Unanswered = TimeSpan.FromSeconds(3);
    // Long enough for a few associations on a loaded machine, short enough to wait out.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(12);
    private RunningMirror _mirror = null!;
    private X509Certificate2 _pinned = null!;

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start(rotationOverlap: Overlap);
        _pinned = Fleet.Device(RunningMirror.Device);
        // As enroll --csr leaves it: the certificate it signed is the pinned one.
        await _mirror.Registry.Ask<Enrolled>(new Enrol(new EnrolledDevice(RunningMirror.Device, "127.0.0.1", 2222, "iotsync", "SHA256:" + new string('A', 43),
            _mirror.KeyHex, 1_700_000_000_000, Certificate: CertificatePin.Of(_pinned))), RunningMirror.Timeout);
    }

    public Task DisposeAsync() => _mirror.DisposeAsync().AsTask();

    private TestFleet Fleet => _mirror.Fleet!;

    [Fact]
    public async Task Should_refuse_a_certificate_the_fleet_ca_signed_for_the_device_but_never_pinned_and_change_nothing()
    {
        // An attacker who once got the CA to sign a request naming the device, or a certificate issued and never enrolled.
        var unpinned = Fleet.Device(RunningMirror.Device);

        Assert.True(await Answered(_pinned, _mirror.Key, RunningMirror.Timeout));
        var before = await _mirror.Observable();
        Assert.False(await Answered(unpinned, _mirror.Key, Unanswered));

        Assert.Equal(before, await _mirror.Observable());
        Assert.True(await Answered(_pinned, _mirror.Key, RunningMirror.Timeout));
    }

    [Fact]
    public async Task Should_admit_the_rotated_certificate_the_old_one_only_during_the_overlap_and_never_one_that_was_not_pinned()
    {
        var renewed = Fleet.Device(RunningMirror.Device);
        var newKey = RandomNumberGenerator.GetBytes(32);

        using var api = MirrorApiClient.ForSocket(_mirror.ControlSocket);
        var pin = CertificatePin.Of(renewed);
        var reply = await api.Rotate(RunningMirror.Device.Value,
            new MirrorApi.Resources.RotateRequest(Convert.ToHexStringLower(newKey), new MirrorApi.Resources.CertificatePinResource(pin.Sha256, pin.NotAfterUnixMs), "127.0.0.1"));
        var refusedFrom = DateTimeOffset.FromUnixTimeMilliseconds(reply.PreviousRefusedFromUnixMs);
        Assert.Contains($"pinned {CertificatePin.Of(renewed).Sha256}", reply.Certificate);

        // Heartbeats signed with the new key throughout: only the certificate decides.
        // The old certificate first: only it races the overlap.
        Assert.True(await Answered(_pinned, newKey, RunningMirror.Timeout));
        Assert.True(DateTimeOffset.UtcNow < refusedFrom, "the overlap passed before the old certificate was tried; too slow a machine?");
        Assert.True(await Answered(renewed, newKey, RunningMirror.Timeout));
        var stranger = Fleet.Device(RunningMirror.Device);
        Assert.False(await Answered(stranger, newKey, Unanswered));

        await Polling.Until(() => Task.FromResult(DateTimeOffset.UtcNow > refusedFrom), Overlap + RunningMirror.Timeout, "the overlap to end");
        var before = await _mirror.Observable();
        Assert.False(await Answered(_pinned, newKey, Unanswered));
        Assert.False(await Answered(stranger, newKey, Unanswered));
        Assert.Equal(before, await _mirror.Observable());
        Assert.True(await Answered(renewed, newKey, RunningMirror.Timeout));
    }

    /// <summary>
    /// A new association with <paramref name="certificate"/> sends a fresh heartbeat signed with <paramref name="key"/>
    /// by direct reference to the listener (again while unanswered); whether an ack came within <paramref name="within"/>.
    /// </summary>
    private async Task<bool> Answered(X509Certificate2 certificate, byte[] key, TimeSpan within)
    {
        await using var peer = new Attacker("peer", certificate);
        var probe = peer.NewProbe();
        var listener = peer.Resolve(_mirror.EdgeAddress, $"/user/{HeartbeatListener.Name}");
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline && !peer.Terminated)
        {
            listener.Tell(RunningMirror.SignedHeartbeat(RunningMirror.Device, key), probe.Ref);
            if (await probe.ReceiveOneAsync(TimeSpan.FromMilliseconds(500)) is HeartbeatAck)
                return true;
        }
        return false;
    }
}
