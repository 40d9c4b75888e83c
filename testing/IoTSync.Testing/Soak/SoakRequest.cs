namespace IoTSync.Testing.Soak;

/// <summary>
/// One request the driver made: a command that appends <paramref name="Token"/> to the ledger, or a
/// property set whose value is <paramref name="Token"/>; what the node answered, and why when it refused.
/// </summary>
public sealed record SoakRequest(SoakSide Side, string Token, bool IsProperty, SoakAnswer Answer, string? Reason)
{
    /// <summary>Refused because the device's database was full (the driver counts these apart).</summary>
    public bool RefusedByFullDisk => Answer == SoakAnswer.Refused && Reason?.Contains("database full", StringComparison.Ordinal) == true;
}
