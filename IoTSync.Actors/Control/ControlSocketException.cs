namespace IoTSync.Control;

/// <summary>The control socket could not be used; the message says why in one line.</summary>
public sealed class ControlSocketException(string message, Exception? inner = null) : Exception(message, inner);
