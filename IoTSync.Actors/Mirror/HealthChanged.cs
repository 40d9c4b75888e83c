using IoTSync.Model;

namespace IoTSync.Mirror;

/// <summary>
/// A device's health changed, as the <see cref="HealthWatch"/> judged it: published on the core actor
/// system's EventStream (never on the wire). <see cref="From"/> and <see cref="To"/> are status labels as
/// listings show them (<see cref="LivenessVerdict.Label"/>), or <see cref="HealthChanges.Unknown"/> as
/// <see cref="From"/> for a device first seen in trouble; <see cref="Detail"/> says what is wrong (or how
/// the device came back), for people.
/// </summary>
public sealed record HealthChanged(DeviceId Device, string From, string To, long AtUnixMs, string? Detail);
