namespace IoTSync.Logs;

/// <summary>Names one entry: the log it is in and its sequence number there.</summary>
public readonly record struct CommandRef(Origin Origin, long Sequence) : IComparable<CommandRef>
{
    public int CompareTo(CommandRef other)
    {
        var byOrigin = Origin.CompareTo(other.Origin);
        return byOrigin != 0 ? byOrigin : Sequence.CompareTo(other.Sequence);
    }

    public override string ToString() => $"{(Origin == Origin.Device ? "d" : "m")}{Sequence}";
}
