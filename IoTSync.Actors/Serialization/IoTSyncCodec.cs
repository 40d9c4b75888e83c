using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Protocol;

namespace IoTSync.Serialization;

/// <summary>
/// Encodes every <see cref="IIoTSyncMessage"/> as UTF-8 JSON under an explicit manifest. The
/// manifests are the stable names in the journal and on the wire: never rename or reuse one;
/// a changed shape gets a new manifest. No type names from the CLR ever reach the bytes.
/// </summary>
public static class IoTSyncCodec
{
    private static readonly (Type Type, string Manifest)[] Registry =
    [
        (typeof(EntryAppended), "entry-appended"),
        (typeof(CommandRecorderEvents.CommandStarted), "command-started"),
        (typeof(StateJournalEvents.DeliveryConfirmed), "delivery-confirmed"),
        (typeof(StateJournalEvents.DivergenceDetected), "divergence-detected"),
        (typeof(StateJournalEvents.HeartbeatRecorded), "heartbeat-recorded"),
        (typeof(StateJournalEvents.SessionRecorded), "session-recorded"),
        (typeof(CommandRecorderState), "recorder-state"),
        (typeof(StateJournalState), "journal-state"),
        (typeof(Hello), "hello"),
        (typeof(PushEntries), "push"),
        (typeof(PushAccepted), "push-accepted"),
        (typeof(PullRequest), "pull"),
        (typeof(PulledEntries), "pulled"),
        (typeof(Done), "done"),
        (typeof(Refused), "refused"),
        (typeof(SyncView), "sync-view"),
        (typeof(ExecRequest), "control-exec"),
        (typeof(ExecReply), "control-exec-reply"),
        (typeof(SyncSessionRequest), "control-sync"),
        (typeof(ControlError), "control-error"),
        (typeof(DeviceStatusRequest), "control-device-status"),
        (typeof(DeviceStatusReply), "control-device-status-reply"),
        (typeof(EnrollRequest), "control-enroll"),
        (typeof(EnrollReply), "control-enroll-reply"),
        (typeof(SubmitRequest), "control-submit"),
        (typeof(CancelRequest), "control-cancel"),
        (typeof(SubmitReply), "control-submit-reply"),
        (typeof(CommandStatusRequest), "control-command-status"),
        (typeof(CommandStatusAnswer), "control-command-status-reply"),
        (typeof(FleetRequest), "control-fleet"),
        (typeof(FleetReply), "control-fleet-reply"),
        (typeof(DeviceStateRequest), "control-device-state"),
        (typeof(DeviceStateReply), "control-device-state-reply"),
        (typeof(WindowsRequest), "control-windows"),
        (typeof(WindowsReply), "control-windows-reply"),
        (typeof(DeviceRegistryMessages.Enrol), "registry-enrol"),
        (typeof(DeviceRegistryMessages.Enrolled), "registry-enrolled"),
        (typeof(DeviceRegistryMessages.EnrolRefused), "registry-enrol-refused"),
        (typeof(DeviceRegistryMessages.ListDevices), "registry-list"),
        (typeof(DeviceRegistryMessages.Devices), "registry-devices"),
        (typeof(DeviceRegistryMessages.DeviceEnrolled), "device-enrolled"),
        (typeof(DeviceRegistryMessages.RegistryState), "registry-state"),
        (typeof(DeviceRegistryMessages.Disable), "registry-disable"),
        (typeof(DeviceRegistryMessages.Enable), "registry-enable"),
        (typeof(DeviceRegistryMessages.Rotate), "registry-rotate"),
        (typeof(DeviceRegistryMessages.DeviceChanged), "registry-device-changed"),
        (typeof(DeviceRegistryMessages.ChangeRefused), "registry-change-refused"),
        (typeof(DeviceRegistryMessages.DeviceDisabled), "device-disabled"),
        (typeof(DeviceRegistryMessages.DeviceEnabled), "device-enabled"),
        (typeof(DeviceRegistryMessages.CredentialsRotated), "credentials-rotated"),
        (typeof(DisableRequest), "control-disable"),
        (typeof(DisableReply), "control-disable-reply"),
        (typeof(RotateRequest), "control-rotate"),
        (typeof(RotateReply), "control-rotate-reply"),
        // "heartbeat" was the shape before the cycle period and window report (tag IOTSYNC/HEARTBEAT/1); never reuse it.
        (typeof(Heartbeat), "heartbeat-2"),
        (typeof(HeartbeatAck), "heartbeat-ack"),
        (typeof(LogHolderMessages.GetView), "get-view"),
        (typeof(LogHolderMessages.GetState), "get-state"),
        (typeof(LogHolderMessages.ReadLog), "read-log"),
        (typeof(LogHolderMessages.LogRange), "log-range"),
        (typeof(LogHolderMessages.AppendAnswer), "append-answer"),
        (typeof(CommandRecorderMessages.RecordCommand), "record-command"),
        (typeof(CommandRecorderMessages.CommandCompleted), "command-completed"),
        (typeof(CommandRecorderMessages.AppendMirrorEntries), "append-mirror-entries"),
        (typeof(StateJournalMessages.SubmitCommand), "submit-command"),
        (typeof(StateJournalMessages.CancelCommand), "cancel-command"),
        (typeof(StateJournalMessages.Submitted), "submitted"),
        (typeof(StateJournalMessages.SubmitRefused), "submit-refused"),
        (typeof(StateJournalMessages.AppendDeviceEntries), "append-device-entries"),
        (typeof(StateJournalMessages.ConfirmDelivery), "confirm-delivery"),
        (typeof(StateJournalMessages.MarkDiverged), "mark-diverged"),
        (typeof(StateJournalMessages.Acknowledged), "acknowledged"),
        (typeof(StateJournalMessages.GetCommandStatus), "get-command-status"),
        (typeof(StateJournalMessages.CommandStatusReply), "command-status"),
        (typeof(StateJournalMessages.GetWindows), "get-windows"),
        (typeof(StateJournalMessages.WindowList), "window-list"),
        (typeof(StateJournalMessages.RecordHeartbeat), "record-heartbeat"),
        (typeof(StateJournalMessages.RecordSession), "record-session"),
        (typeof(StateJournalMessages.GetSyncView), "get-sync-view"),
        (typeof(StateJournalMessages.GetJournalState), "get-journal-state"),
        (typeof(StateJournalMessages.ReadLogRange), "read-log-range"),
    ];

    private static readonly Dictionary<Type, string> ManifestByType = Registry.ToDictionary(r => r.Type, r => r.Manifest);
    private static readonly Dictionary<string, Type> TypeByManifest = Registry.ToDictionary(r => r.Manifest, r => r.Type, StringComparer.Ordinal);

    internal static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new Sha256HashConverter(), new DeviceIdConverter(), new ApplicationStateConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutComputedProperties } },
    };

    /// <summary>
    /// Stores only what a record is made of. A get-only property is computed from the others
    /// (<c>LogEntry.HasValidHash</c> hashes the entry, <c>LogPair.View</c> digests the whole model):
    /// writing it would cost that work on every event and snapshot and store nothing new.
    /// </summary>
    private static void LeaveOutComputedProperties(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
            return;
        foreach (var computed in typeInfo.Properties.Where(p => p.Set is null).ToList())
            typeInfo.Properties.Remove(computed);
    }

    /// <summary>Every registered type, for tests that prove each one round-trips.</summary>
    public static IReadOnlyCollection<Type> RegisteredTypes => ManifestByType.Keys;

    /// <summary>The type registered under a manifest, or null.</summary>
    public static Type? TypeOf(string manifest) => TypeByManifest.GetValueOrDefault(manifest);

    public static string ManifestOf(object message) =>
        ManifestByType.TryGetValue(message.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{message.GetType().FullName} has no IoTSync manifest; register it in {nameof(IoTSyncCodec)}.");

    public static byte[] Encode(object message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Options);

    /// <summary>Decodes bytes under a manifest; a clear <see cref="FormatException"/> for anything malformed.</summary>
    public static object Decode(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!TypeByManifest.TryGetValue(manifest, out var type))
            throw new FormatException($"unknown IoTSync manifest '{manifest}'");
        try
        {
            return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new FormatException($"'{manifest}' decoded to null");
        }
        catch (JsonException e)
        {
            throw new FormatException($"malformed '{manifest}': {e.Message}", e);
        }
    }

    public static T Decode<T>(ReadOnlySpan<byte> bytes) where T : IIoTSyncMessage =>
        (T)Decode(bytes, ManifestByType[typeof(T)]);
}
