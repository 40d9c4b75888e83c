namespace IoTSync.Mirror.Ssh;

/// <summary>The SSH session to a device could not be opened or failed; nothing of the exchange ran past this point.</summary>
public class SshTransportException(string message, Exception? inner = null) : Exception(message, inner);
