using IoTSync.TestBed;
using Xunit;

namespace IoTSync.Tests.TestBed;

/// <summary>What a test-bed test does when the bed cannot be built here.</summary>
public enum TestBedVerdict
{
    Run,
    Skip,
    Fail,
}

/// <summary>
/// The rule for tests that need the <see cref="NetnsTestBed"/>: they run where it can be built,
/// report themselves skipped with the reason where it cannot — never passed — except in CI
/// (<c>CI=true</c>) as root, where a missing bed fails the test, so CI cannot go green without them.
/// </summary>
public static class TestBedRequirement
{
    /// <summary>Skips (or, in CI as root, fails) the calling test unless the bed — and sshd, when asked — can run.</summary>
    public static void SkipUnlessAvailable(bool withSshd = false)
    {
        var reason = NetnsTestBed.Unavailable() ?? (withSshd ? PrivateSshd.Unavailable() : null);
        switch (Decide(reason, IsCi(Environment.GetEnvironmentVariable("CI")), Environment.IsPrivilegedProcess))
        {
            case TestBedVerdict.Fail:
                throw new InvalidOperationException($"CI=true and running as root, so the network-namespace test bed must run, but: {reason}");
            case TestBedVerdict.Skip:
                Skip.If(true, reason);
                break;
        }
    }

    /// <summary>Reports the calling test skipped, with the reason, when sshd cannot run here (no bed needed).</summary>
    public static void SkipUnlessSshd()
    {
        var reason = PrivateSshd.Unavailable();
        Skip.If(reason is not null, reason);
    }

    public static TestBedVerdict Decide(string? reason, bool ci, bool root) =>
        reason is null ? TestBedVerdict.Run
        : ci && root ? TestBedVerdict.Fail
        : TestBedVerdict.Skip;

    /// <summary>CI systems set <c>CI=true</c> (GitHub Actions, GitLab, most others); any case.</summary>
    public static bool IsCi(string? value) => string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);
}
