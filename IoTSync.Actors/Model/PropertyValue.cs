namespace IoTSync.Model;

/// <summary>A property's winning write; <see cref="Value"/> is null after an <c>unset</c> (a tombstone).</summary>
public sealed record PropertyValue(string? Value, WriteStamp Stamp);
