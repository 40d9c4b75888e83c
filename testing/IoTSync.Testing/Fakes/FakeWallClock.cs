using IoTSync.Logs;

namespace IoTSync.Testing.Fakes;

/// <summary>A wall clock that moves only when the test sets or advances it.</summary>
public sealed class FakeWallClock(long startMs = 1_700_000_000_000) : IWallClock
{
    public long UtcNowMs { get; set; } = startMs;

    public void Advance(long ms) => UtcNowMs += ms;
}
