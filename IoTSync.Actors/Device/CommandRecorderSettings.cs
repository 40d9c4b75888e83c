using Akka.Configuration;
using IoTSync.Configuration;
using IoTSync.Logs;

namespace IoTSync.Device;

/// <summary>Settings of the device's <see cref="CommandRecorder"/>.</summary>
public sealed record CommandRecorderSettings(string Issuer, TimeSpan ExecutionBudget, LogHolderSettings Journal)
{
    /// <summary>Reads <c>iotsync.device</c> and <c>iotsync.persistence</c>.</summary>
    public static CommandRecorderSettings FromConfig(Config root)
    {
        var budget = root.RequireDuration("iotsync.device.execution-budget");
        return new CommandRecorderSettings(root.RequireString("iotsync.device.issuer"), budget, IoTSyncSystem.LogHolderSettings(root));
    }
}
