namespace IoTSync.Device;

/// <summary>What the <see cref="ReverseDialer"/> is told.</summary>
public static class ReverseDialerMessages
{
    /// <summary>The mirror's answer in window <see cref="Window"/> says sync: dial the mirror host (from the <see cref="NetworkToggler"/>, the sender).</summary>
    public sealed record DialMirror(int Window);
}
