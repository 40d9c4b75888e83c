using IoTSync.Inspection;
using IoTSync.Mirror;
using IoTSync.Model;
using IoTSync.Serialization;
using Xunit;
using static IoTSync.Mirror.DeviceRegistryMessages;

namespace IoTSync.Tests.Mirror;

/// <summary>The hash chain over the device registry's events, and its audit (issue 11, fault 9).</summary>
public sealed class RegistryChainSpecs
{
    private static readonly DeviceId Device = new("dev-c");

    private static EnrolledDevice Details(string fingerprint = "SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ") =>
        new(Device, "127.0.0.1", 2222, "iotsync", fingerprint, new string('7', 64), 1_700_000_000_000);

    private static IIoTSyncMessage[] Chained(params IIoTSyncMessage[] events)
    {
        var head = RegistryChain.Genesis;
        return [.. events.Select(e => { (var sealedEvent, head) = RegistryChain.Seal(head, e); return sealedEvent; })];
    }

    private static RegistryAudit Audit(IEnumerable<IIoTSyncMessage> events)
    {
        var audit = new RegistryAudit();
        var at = 0L;
        foreach (var @event in events)
            audit.Feed(new StoredEvent(++at, 0, IoTSyncCodec.Decode(IoTSyncCodec.Encode(@event), IoTSyncCodec.ManifestOf(@event))));
        return audit;
    }

    [Fact]
    public void Should_verify_a_chained_registry_clean()
    {
        var events = Chained(new DeviceEnrolled(Details()), new DeviceDisabled(Device, 5), new DeviceEnabled(Device, 6));

        var audit = Audit(events);

        Assert.Empty(audit.Findings);
        Assert.All(events, e => Assert.NotNull(RegistryChain.StoredHash(e)));
        Assert.StartsWith("device registry: 3 events, 3 hash-chained", audit.Describe());
    }

    [Fact]
    public void Should_name_only_the_event_whose_pinned_host_key_was_edited()
    {
        var events = Chained(new DeviceEnrolled(Details()), new DeviceDisabled(Device, 5), new DeviceEnabled(Device, 6));
        events[0] = ((DeviceEnrolled)events[0]) with { Device = Details("SHA256:" + new string('B', 43)) };

        var finding = Assert.Single(Audit(events).Findings);

        Assert.Equal(FindingPlace.Registry, finding.Place);
        Assert.Equal(1, finding.Sequence);
        Assert.StartsWith("device registry, event 1: device-enrolled of device dev-c: the stored hash", finding.ToString());
    }

    [Fact]
    public void Should_recover_a_registry_written_before_the_chain_and_chain_what_follows_it()
    {
        IIoTSyncMessage old = new DeviceEnrolled(Details());
        var (next, _) = RegistryChain.Seal(RegistryChain.Next(RegistryChain.Genesis, old), new DeviceDisabled(Device, 5));

        Assert.Empty(Audit([old, next]).Findings);
        Assert.Contains("1 written before the registry was chained", Audit([old, next]).Describe());
        // The unchained enrolment is covered by the chained event after it.
        Assert.Single(Audit([new DeviceEnrolled(Details("SHA256:" + new string('C', 43))), next]).Findings);
    }

    [Fact]
    public void Should_hash_the_event_without_its_stored_hash()
    {
        var plain = new DeviceDisabled(Device, 5);
        var (sealedEvent, head) = RegistryChain.Seal(RegistryChain.Genesis, plain);

        Assert.Equal(head, RegistryChain.Next(RegistryChain.Genesis, sealedEvent));
        Assert.Equal(head, RegistryChain.StoredHash(sealedEvent));
        Assert.NotEqual(head, RegistryChain.Next(RegistryChain.Genesis, plain with { AtUnixMs = 6 }));
    }
}
