namespace IoTSync.Inspection;

/// <summary>A finding and the copy it was found in (a database or export path, or the comparison).</summary>
public sealed record SourcedFinding(string Source, Finding Finding)
{
    public override string ToString() => $"{Finding} [{Source}]";
}
