using System.Globalization;

namespace IoTSync.Fleet;

/// <summary>
/// How the simulated devices' heartbeats reach the mirror. <see cref="Own"/>: one actor system, one
/// certificate and one mutual-TLS association per device, as real devices have. <see cref="Shared"/>: K actor
/// systems, each presenting one device's certificate, each carrying the heartbeats of many devices, every
/// heartbeat still signed with its own device's key (what lets one machine simulate more devices than it
/// can hold associations for).
/// </summary>
public sealed record AssociationMode(int SharedSystems)
{
    public static AssociationMode Own { get; } = new(0);

    public bool IsOwn => SharedSystems == 0;

    public static AssociationMode Parse(string text)
    {
        if (text == "own")
            return Own;
        if (text.StartsWith("shared:", StringComparison.Ordinal)
            && int.TryParse(text["shared:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var systems) && systems > 0)
            return new AssociationMode(systems);
        throw new ArgumentException($"--associations: '{text}' is not own or shared:K (K a positive whole number)");
    }

    public override string ToString() => IsOwn ? "own" : $"shared:{SharedSystems}";

    /// <summary>What the mode means, for the report.</summary>
    public string Describe(int devices) => IsOwn
        ? $"own: {devices} actor systems, each with its device's certificate and its own mutual-TLS association to the mirror"
        : $"shared:{SharedSystems}: {Math.Min(SharedSystems, devices)} actor systems, each presenting one device's certificate on its association and " +
          $"carrying the heartbeats of about {Math.Ceiling(devices / (double)Math.Min(SharedSystems, devices)):0} devices, each heartbeat signed with its own device's key";
}
