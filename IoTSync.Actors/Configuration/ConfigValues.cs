using System.Collections.Immutable;
using Akka.Configuration;

namespace IoTSync.Configuration;

/// <summary>
/// Reads required values from a node's HOCON with one clear <see cref="ConfigurationException"/>
/// naming the key when a value is missing or out of range.
/// </summary>
public static class ConfigValues
{
    public static string RequireString(this Config config, string path)
    {
        var value = config.HasPath(path) ? config.GetString(path, "") : "";
        if (string.IsNullOrWhiteSpace(value))
            throw new ConfigurationException($"{path} must be set (not empty)");
        return value;
    }

    public static TimeSpan RequireDuration(this Config config, string path)
    {
        if (!config.HasPath(path))
            throw new ConfigurationException($"{path} must be set to a duration such as 500ms or 30s");
        TimeSpan value;
        try
        {
            value = config.GetTimeSpan(path, TimeSpan.Zero, allowInfinite: false);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path}: '{config.GetString(path, "")}' is not a duration such as 500ms or 30s");
        }
        if (value <= TimeSpan.Zero)
            throw new ConfigurationException($"{path} must be a positive duration");
        return value;
    }

    public static int RequireInt(this Config config, string path, int min, int max)
    {
        if (!config.HasPath(path))
            throw new ConfigurationException($"{path} must be set to a whole number from {min} to {max}");
        int value;
        try
        {
            value = config.GetInt(path, 0);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path}: '{config.GetString(path, "")}' is not a whole number");
        }
        if (value < min || value > max)
            throw new ConfigurationException($"{path} must be from {min} to {max}, not {value}");
        return value;
    }

    public static ImmutableArray<string> StringList(this Config config, string path) =>
        config.HasPath(path) ? [.. config.GetStringList(path) ?? []] : [];

    /// <summary>An absolute path: a relative one is taken from the node's working directory.</summary>
    public static string RequirePath(this Config config, string path) => Path.GetFullPath(config.RequireString(path));
}
