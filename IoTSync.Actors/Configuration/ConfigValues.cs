using System.Collections.Immutable;
using System.Globalization;
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

    /// <summary>A duration of at least <paramref name="minimum"/>.</summary>
    public static TimeSpan RequireDuration(this Config config, string path, TimeSpan minimum)
    {
        var value = config.RequireDuration(path);
        if (value < minimum)
            throw new ConfigurationException(string.Create(CultureInfo.InvariantCulture, $"{path} must be at least {minimum.TotalMilliseconds:0}ms, not {value}"));
        return value;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> (no upper bound when <paramref name="max"/> is left out).</summary>
    public static int RequireInt(this Config config, string path, int min, int max = int.MaxValue)
    {
        var range = max == int.MaxValue ? $"{min} or more" : $"from {min} to {max}";
        if (!config.HasPath(path))
            throw new ConfigurationException($"{path} must be set to a whole number {range}");
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
            throw new ConfigurationException($"{path} must be {range}, not {value}");
        return value;
    }

    /// <summary>A size in bytes such as 64KiB, from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static long RequireByteSize(this Config config, string path, long min, long max)
    {
        if (!config.HasPath(path))
            throw new ConfigurationException($"{path} must be set to a size such as 64KiB");
        long? value;
        try
        {
            value = config.GetByteSize(path);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{path}: '{config.GetString(path, "")}' is not a size such as 64KiB");
        }
        if (value is not { } bytes || bytes < min || bytes > max)
            throw new ConfigurationException($"{path} must be from {min} to {max} bytes, not {value}");
        return bytes;
    }

    /// <summary>The value, or empty when the key is absent.</summary>
    public static string OptionalString(this Config config, string path) =>
        config.HasPath(path) ? config.GetString(path, "") ?? "" : "";

    public static ImmutableArray<string> StringList(this Config config, string path) =>
        config.HasPath(path) ? [.. config.GetStringList(path) ?? []] : [];

    /// <summary>An absolute path: a relative one is taken from the node's working directory.</summary>
    public static string RequirePath(this Config config, string path) => Path.GetFullPath(config.RequireString(path));
}
