using System.Collections.Frozen;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace IoTSync.Configuration;

/// <summary>
/// The keys a node's configuration may hold under <c>iotsync</c>: those of the shipped files under
/// <c>hocon/</c> (built into this assembly, so an edited installed copy cannot widen them), shared.hocon
/// and the node's own file. A key under <c>iotsync</c> that the reference lacks is a typo or a setting
/// that no longer exists, and is refused at load with its name and file, as a bad value is. Only the
/// names are checked here; each settings type checks its values. A section added to a shipped file is
/// known at the next build with no change here.
/// </summary>
/// <remarks>
/// Under a key whose reference value is not an object (a value, a list of values or of objects) nothing
/// is checked: its value is its settings' to judge. An object that is empty in the reference is a map by
/// design: the keys under it are the user's own.
/// </remarks>
public sealed class ConfigReference
{
    private const string Root = "iotsync";

    private enum Kind
    {
        Value,
        Section,
        Map,
    }

    private readonly FrozenDictionary<string, Kind> _keys;

    private ConfigReference(string name, IEnumerable<Config> files)
    {
        Name = name;
        var keys = new Dictionary<string, Kind>(StringComparer.Ordinal);
        foreach (var file in files)
            if (file.Root is { } root && root.IsObject() && root.GetObject().Items.TryGetValue(Root, out var iotsync) && iotsync.IsObject())
                Collect(iotsync.GetObject(), Root, keys);
        _keys = keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private ConfigReference(string name, IEnumerable<string> embeddedFiles) : this(name, embeddedFiles.Select(Embedded))
    {
    }

    /// <summary>A reference made of HOCON texts (for specs of the rules themselves).</summary>
    internal static ConfigReference FromText(params string[] hocon) => new("test", hocon.Select(ConfigurationFactory.ParseString));

    // Each parsed on first use: a command reads one node's files, not all three twice.
    private static readonly Lazy<ConfigReference> DeviceReference = new(() => new("device", ["shared.hocon", "device.hocon"]));
    private static readonly Lazy<ConfigReference> MirrorReference = new(() => new("mirror", ["shared.hocon", "mirror.hocon"]));
    private static readonly Lazy<ConfigReference> AnyNodeReference = new(() => new("any node", ["shared.hocon", "device.hocon", "mirror.hocon"]));

    /// <summary>The device node's keys: shared.hocon and device.hocon.</summary>
    public static ConfigReference Device => DeviceReference.Value;

    /// <summary>The mirror node's keys: shared.hocon and mirror.hocon.</summary>
    public static ConfigReference Mirror => MirrorReference.Value;

    /// <summary>Any node's keys, for a file whose node is not known.</summary>
    public static ConfigReference AnyNode => AnyNodeReference.Value;

    /// <summary>Which node's keys: "device", "mirror" or "any node".</summary>
    public string Name { get; }

    /// <summary>The reference of the node whose shipped file is <paramref name="shippedFile"/> (device.hocon or mirror.hocon; any node's otherwise).</summary>
    public static ConfigReference ForShippedFile(string shippedFile) => Path.GetFileName(shippedFile) switch
    {
        "device.hocon" => Device,
        "mirror.hocon" => Mirror,
        _ => AnyNode,
    };

    /// <summary>The keys under <c>iotsync</c> in <paramref name="config"/> (one file as parsed, before any fallback) that this reference does not know, as full paths.</summary>
    public IReadOnlyList<string> UnknownKeys(Config config)
    {
        var unknown = new List<string>();
        if (config.Root is { } root && root.IsObject() && root.GetObject().Items.TryGetValue(Root, out var iotsync) && iotsync.IsObject())
            Walk(iotsync.GetObject(), Root, unknown);
        return unknown;
    }

    /// <summary>Refuses <paramref name="config"/>, read from <paramref name="file"/>, when it has a key under <c>iotsync</c> this reference does not know.</summary>
    public void Check(Config config, string file)
    {
        var unknown = UnknownKeys(config);
        if (unknown.Count == 1)
            throw new ConfigurationException($"unknown configuration key {unknown[0]} in {file}");
        if (unknown.Count > 1)
            throw new ConfigurationException($"unknown configuration keys {string.Join(", ", unknown)} in {file}");
    }

    private void Walk(HoconObject section, string prefix, List<string> unknown)
    {
        foreach (var (key, value) in section.Items)
        {
            var path = prefix + "." + key;
            if (!_keys.TryGetValue(path, out var kind))
                unknown.Add(path);
            else if (kind == Kind.Section && value.IsObject())
                Walk(value.GetObject(), path, unknown);
        }
    }

    private static void Collect(HoconObject section, string prefix, Dictionary<string, Kind> keys)
    {
        foreach (var (key, value) in section.Items)
        {
            var path = prefix + "." + key;
            if (!value.IsObject())
            {
                keys.TryAdd(path, Kind.Value);
                continue;
            }
            var items = value.GetObject().Items;
            // A section in one file stays a section whatever another file says of it.
            if (items.Count == 0)
                keys.TryAdd(path, Kind.Map);
            else
            {
                keys[path] = Kind.Section;
                Collect(value.GetObject(), path, keys);
            }
        }
    }

    private static Config Embedded(string file)
    {
        using var stream = typeof(ConfigReference).Assembly.GetManifestResourceStream("IoTSync.hocon." + file)
                           ?? throw new InvalidOperationException($"the reference configuration {file} is not built into {typeof(ConfigReference).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }
}
