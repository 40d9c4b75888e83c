namespace IoTSync.Mirror.Ssh;

/// <summary>The device's SSH server refused the mirror's key.</summary>
public sealed class SshAuthenticationFailedException(string message, Exception? inner = null) : SshTransportException(message, inner);
