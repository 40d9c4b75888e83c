namespace IoTSync.Testing.Soak;

/// <summary>How a <see cref="SoakEngine"/> run is set up.</summary>
/// <param name="Duration">How long the driver and the nemesis run (the settling and the checks come after).</param>
/// <param name="Seed">Seeds the nemesis's choices and moments: the same seed gives the same schedule of faults.</param>
/// <param name="Log">Where progress lines go (the console, a test's output).</param>
public sealed record SoakOptions(TimeSpan Duration, int Seed, Action<string> Log)
{
    /// <summary>The device's cycle: short, so many windows (and many faults within them) fit the run.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The device's window limit.</summary>
    public TimeSpan WindowLimit { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>The quietest stretch between two faults, and the longest.</summary>
    public TimeSpan MinCalm { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxCalm { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>How long the driver waits between two requests of one side.</summary>
    public TimeSpan Pace { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How long, once the faults stop, both sides get to converge.</summary>
    public TimeSpan SettleWithin { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Where the run's files go (a new temporary directory when null); deleted after a passing run unless <see cref="Keep"/>.</summary>
    public string? Directory { get; init; }

    /// <summary>Keep the directory (configs, databases, node logs, ledger) after a passing run too.</summary>
    public bool Keep { get; init; }
}
