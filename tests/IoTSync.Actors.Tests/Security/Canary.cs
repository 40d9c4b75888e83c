namespace IoTSync.Tests.Security;

/// <summary>A type no node has a reason to build: its constructor counts every instance made in this process.</summary>
public sealed class Canary
{
    private static int _constructed;

    public Canary() => Interlocked.Increment(ref _constructed);

    public static int Constructed => Volatile.Read(ref _constructed);

    public string Note { get; set; } = "built by a peer's frame";
}
