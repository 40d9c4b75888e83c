using IoTSync.Testing.Soak;
using IoTSync.Tests.TestBed;
using Xunit;
using Xunit.Abstractions;

namespace IoTSync.Tests.Nodes;

/// <summary>
/// The nemesis soak in short (issue 11): about a minute and a half of commands and property sets from
/// both sides while nodes are killed and frozen, the device's disk fills and sessions are cut, then the
/// same checks as <c>./iotsync soak</c>. The seed comes from the clock and is printed; a failure names it.
/// </summary>
[Collection(NodeProcessCollection.Name)]
public sealed class SoakSpecs(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Should_lose_nothing_double_nothing_and_run_nothing_twice_under_the_nemesis()
    {
        TestBedRequirement.SkipUnlessSshd();
        Skip.If(SoakEngine.Unavailable() is not null, SoakEngine.Unavailable());
        var seed = (int)(DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 1_000_000);
        output.WriteLine($"soak seed {seed}");

        var report = await SoakEngine.Run(new SoakOptions(TimeSpan.FromSeconds(60), seed, output.WriteLine) { SettleWithin = TimeSpan.FromSeconds(120) });

        Assert.True(report.Passed, string.Join('\n', report.Lines()));
        Assert.True(report.Issued.Values.Sum() > 50, string.Join('\n', report.Lines()));
        Assert.True(report.Nemesis.Values.Sum() > 5, string.Join('\n', report.Lines()));
    }
}
