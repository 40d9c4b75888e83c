using System.Collections.Immutable;
using System.Text;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using IoTSync.Configuration;

namespace IoTSync.Mirror.Alerts;

/// <summary>
/// The mirror's webhook alerts (<c>iotsync.mirror.alerts</c>): the webhooks, the retry back-off (from
/// <paramref name="RetryInitial"/>, doubling up to <paramref name="RetryMax"/>, an alert given up once
/// <paramref name="GiveUpAfter"/> has passed since its first attempt), the alerts each webhook may hold
/// waiting (<paramref name="QueueSize"/>, the oldest dropped past it) and the bound on one POST.
/// </summary>
public sealed record AlertSettings(ImmutableArray<WebhookSettings> Webhooks, TimeSpan RetryInitial, TimeSpan RetryMax, TimeSpan GiveUpAfter,
    int QueueSize, TimeSpan RequestTimeout)
{
    private const string Root = "iotsync.mirror.alerts";

    /// <summary>The shortest secret accepted, in bytes: an HMAC key anyone could guess signs nothing.</summary>
    public const int MinimumSecretBytes = 16;

    /// <summary>No webhooks: no alert actor runs.</summary>
    public static AlertSettings None { get; } = new([], TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), 1000, TimeSpan.FromSeconds(10));

    /// <summary>How long to wait before attempt <paramref name="attempt"/> + 1 after <paramref name="attempt"/> (1 or more) failed: doubling from the initial delay, capped.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 62));
        var delay = RetryInitial.TotalMilliseconds * factor;
        return delay >= RetryMax.TotalMilliseconds ? RetryMax : TimeSpan.FromMilliseconds(delay);
    }

    /// <summary>
    /// Reads <c>iotsync.mirror.alerts</c> and each webhook's secret file. A URL that is not absolute http or
    /// https, a missing, empty, short or group/other-readable secret file, or an unknown alert kind is refused
    /// with the key named.
    /// </summary>
    public static AlertSettings FromConfig(Config root)
    {
        var retryInitial = root.RequireDuration($"{Root}.retry.initial", minimum: TimeSpan.FromMilliseconds(10));
        var retryMax = root.RequireDuration($"{Root}.retry.max");
        if (retryMax < retryInitial)
            throw new ConfigurationException($"{Root}.retry.max must be at least {Root}.retry.initial");
        var giveUpAfter = root.RequireDuration($"{Root}.retry.give-up-after");
        var queueSize = root.RequireInt($"{Root}.queue-size", 1, 1_000_000);
        var requestTimeout = root.RequireDuration($"{Root}.request-timeout", minimum: TimeSpan.FromMilliseconds(100));
        var webhooks = ImmutableArray.CreateBuilder<WebhookSettings>();
        var list = root.HasPath($"{Root}.webhooks") ? root.GetValue($"{Root}.webhooks") : null;
        var items = list is null ? [] : list.IsArray() ? list.GetArray()
            // Akka's HOCON does not count an empty list as an array: look at what the value is made of.
            : list.Values.Any(v => v is HoconArray) && list.Values.All(v => v is HoconArray { Count: 0 } || (v is HoconLiteral l && string.IsNullOrWhiteSpace(l.GetString()))) ? []
            : throw new ConfigurationException($"{Root}.webhooks must be a list of {{ url, secret-file, statuses }}");
        for (var i = 0; i < items.Count; i++)
            webhooks.Add(Webhook($"{Root}.webhooks[{i}]", items[i]));
        return new AlertSettings(webhooks.ToImmutable(), retryInitial, retryMax, giveUpAfter, queueSize, requestTimeout);
    }

    private static WebhookSettings Webhook(string key, HoconValue item)
    {
        if (!item.IsObject())
            throw new ConfigurationException($"{key} must be an object {{ url, secret-file, statuses }}");
        var config = new Config(new HoconRoot(item));
        var url = config.HasPath("url") ? config.GetString("url", "") ?? "" : "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ConfigurationException($"{key}.url: '{url}' is not an absolute http:// or https:// URL");
        var kinds = config.HasPath("statuses") ? [.. config.GetStringList("statuses")] : AlertKinds.Default;
        if (kinds.IsEmpty)
            throw new ConfigurationException($"{key}.statuses is empty: the webhook would be sent nothing (leave the key out for the default)");
        foreach (var kind in kinds.Where(k => !AlertKinds.All.Contains(k)))
            throw new ConfigurationException($"{key}.statuses: '{kind}' is not one of {string.Join(", ", AlertKinds.All.Order(StringComparer.Ordinal))}");
        return new WebhookSettings(uri, Secret($"{key}.secret-file", config.HasPath("secret-file") ? config.GetString("secret-file", "") ?? "" : ""), kinds);
    }

    /// <summary>The HMAC key: the file's text without surrounding white space, as UTF-8.</summary>
    private static byte[] Secret(string key, string file)
    {
        if (string.IsNullOrWhiteSpace(file))
            throw new ConfigurationException($"{key} must be set: the file holding the webhook's HMAC secret (never the secret itself)");
        var path = Path.GetFullPath(file);
        if (!File.Exists(path))
            throw new ConfigurationException($"{key}: {path} does not exist");
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            throw new ConfigurationException($"{key}: {path} is readable by group or others (chmod 600 it)");
        var secret = Encoding.UTF8.GetBytes(File.ReadAllText(path).Trim());
        if (secret.Length < MinimumSecretBytes)
            throw new ConfigurationException($"{key}: {path} holds {secret.Length} bytes; a secret of at least {MinimumSecretBytes} is needed");
        return secret;
    }
}
