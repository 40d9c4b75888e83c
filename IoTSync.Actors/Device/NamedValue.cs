namespace IoTSync.Device;

/// <summary>A property as the model holds it now.</summary>
public sealed record NamedValue(string Name, string Value);
