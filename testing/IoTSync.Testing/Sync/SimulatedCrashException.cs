namespace IoTSync.Testing.Sync;

/// <summary>The process died: thrown by a side or a channel at a chosen point.</summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
