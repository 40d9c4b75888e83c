namespace IoTSync.Protocol;

/// <summary>A frame on the exchange's byte stream that cannot be accepted; the session ends with it.</summary>
public sealed class FrameException(string message, Exception? inner = null) : Exception(message, inner);
