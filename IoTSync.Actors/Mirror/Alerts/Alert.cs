namespace IoTSync.Mirror.Alerts;

/// <summary>
/// One alert: a health change (<paramref name="Change"/>) of a kind (<see cref="AlertKinds"/>) with the id
/// every webhook is sent it under, so a receiver can drop a repeat.
/// </summary>
public sealed record Alert(string Id, string Kind, HealthChanged Change);
