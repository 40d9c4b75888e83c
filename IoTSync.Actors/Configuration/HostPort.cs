namespace IoTSync.Configuration;

/// <summary>HOST:PORT as the CLIs and configs write it.</summary>
public static class HostPort
{
    public static bool TryParse(string text, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            return false;
        host = text[..colon].Trim('[', ']');
        return int.TryParse(text[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out port)
               && port is >= 1 and <= 65535 && host.Length > 0 && !host.Any(char.IsWhiteSpace);
    }
}
