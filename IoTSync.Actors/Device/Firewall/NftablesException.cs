namespace IoTSync.Device.Firewall;

/// <summary>nftables refused a transaction; nothing of it was applied.</summary>
public sealed class NftablesException(string message) : IOException(message);
