using IoTSync.Device;
using Xunit;

namespace IoTSync.Tests.Device;

/// <summary>A sync session is admitted only inside a window.</summary>
public sealed class SyncSessionAdmissionSpecs
{
    [Theory]
    [InlineData("opening")]
    [InlineData("calling")]
    [InlineData("syncing")]
    public void Should_admit_a_session_inside_a_window(string phase) => Assert.Null(SyncSessionAdmission.Refusal(phase));

    [Fact]
    public void Should_refuse_a_session_while_the_device_is_dark() =>
        Assert.Contains("no window is open", SyncSessionAdmission.Refusal(SyncSessionAdmission.Dark));
}
