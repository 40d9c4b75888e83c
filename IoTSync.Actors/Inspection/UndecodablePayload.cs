namespace IoTSync.Inspection;

/// <summary>
/// What a journal or snapshot row held when its bytes did not decode: the manifest, the raw
/// bytes and why. The inspection reads through <see cref="TolerantIoTSyncSerializer"/>, which
/// hands this back instead of throwing, so one bad row is reported instead of ending the read.
/// </summary>
public sealed record UndecodablePayload(string Manifest, byte[] Bytes, string Reason);
