using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IoTSync.Control;
using IoTSync.Device;
using IoTSync.Logs;
using IoTSync.Mirror;
using IoTSync.Mirror.Tokens;
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
        (typeof(WindowHistory), "window-history"),
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
        // The mirror's framed control protocol (control-enroll ... control-refusals-reply) gave way to the HTTP API; never reuse its names.
        (typeof(DeviceRegistryMessages.Enrol), "registry-enrol"),
        (typeof(DeviceRegistryMessages.Enrolled), "registry-enrolled"),
        (typeof(DeviceRegistryMessages.EnrolRefused), "registry-enrol-refused"),
        (typeof(DeviceRegistryMessages.ListDevices), "registry-list"),
        (typeof(DeviceRegistryMessages.Devices), "registry-devices"),
        (typeof(DeviceRegistryMessages.CountDevices), "registry-count"),
        (typeof(DeviceRegistryMessages.DeviceCount), "registry-count-reply"),
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
        // "heartbeat" was the shape before the cycle period and window report (tag IOTSYNC/HEARTBEAT/1); never reuse it.
        (typeof(Heartbeat), "heartbeat-2"),
        (typeof(HeartbeatAck), "heartbeat-ack"),
        (typeof(SessionAbandoned), "session-abandoned"),
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
        (typeof(ApiTokenEvents.TokenCreated), "api-token-created"),
        (typeof(ApiTokenEvents.TokenRevoked), "api-token-revoked"),
        (typeof(Mirror.Reverse.RelayArrival), "control-relay-arrival"),
        (typeof(DeviceSummary), "device-summary"),
        (typeof(Mirror.Cluster.ClusterEventRelayMessages.RelayedJournalWritten), "relayed-journal-written"),
        (typeof(Mirror.Cluster.ClusterEventRelayMessages.RelayedWindowRecorded), "relayed-window-recorded"),
        (typeof(Mirror.Cluster.ClusterEventRelayMessages.RelayedHealthChanged), "relayed-health-changed"),
    ];

    private static readonly Dictionary<Type, string> ManifestByType = Registry.ToDictionary(r => r.Type, r => r.Manifest);
    private static readonly Dictionary<string, Type> TypeByManifest = Registry.ToDictionary(r => r.Manifest, r => r.Type, StringComparer.Ordinal);

    internal static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        // Our encoder never writes a name twice; a reader that took the last of two would see another message than one that took the first.
        AllowDuplicateProperties = false,
        Converters = { new Sha256HashConverter(), new DeviceIdConverter(), new ApplicationStateConverter(), new ApiTokenNameConverter(), new ApiRoleConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { LeaveOutComputedProperties, RefuseWhatTheTypesCannotMean } },
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

    /// <summary>
    /// Refuses, while decoding, what JSON can say and the types cannot mean: a null element or
    /// dictionary value (no collection here holds nullable elements; the serializer's nullability
    /// check covers properties only) and an enum number without a name (the canonical encoding
    /// writes enums as one byte, so 257 would hash like 1). Hostile bytes then fail here, with
    /// the property's name, instead of later in a hash or an actor.
    /// </summary>
    private static void RefuseWhatTheTypesCannotMean(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
            return;
        var checks = typeInfo.Properties
            .Where(p => p.Get is not null && NeedsCheck(p.PropertyType))
            .Select(p => (p.Name, Get: p.Get!, IsDefaultArray: DefaultArrayTest(p.PropertyType)))
            .ToArray();
        if (checks.Length == 0)
            return;
        var typeName = typeInfo.Type.Name;
        typeInfo.OnDeserialized = decoded =>
        {
            foreach (var (name, get, isDefaultArray) in checks)
            {
                var value = get(decoded);
                if (value is null || isDefaultArray?.Invoke(value) == true)
                    continue;
                if (!Holds(value))
                    throw new JsonException($"{typeName}.{name} holds a null element or an enum value without a name");
            }
        };
    }

    private static bool NeedsCheck(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type).IsEnum || (type != typeof(string) && typeof(System.Collections.IEnumerable).IsAssignableFrom(type));

    private static Func<object, bool>? DefaultArrayTest(Type type)
    {
        if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(System.Collections.Immutable.ImmutableArray<>))
            return null;
        var isDefault = type.GetProperty(nameof(System.Collections.Immutable.ImmutableArray<int>.IsDefault))!;
        return value => (bool)isDefault.GetValue(value)!;
    }

    private static bool Holds(object value) => value switch
    {
        Enum e => Enum.IsDefined(e.GetType(), e),
        string => true,
        System.Collections.IDictionary dictionary => dictionary.Values.Cast<object?>().All(v => v is not null && Holds(v)),
        System.Collections.IEnumerable elements => elements.Cast<object?>().All(v => v is not null && (v is not Enum || Holds(v))),
        _ => true,
    };

    /// <summary>Every registered type, for tests that prove each one round-trips.</summary>
    public static IReadOnlyCollection<Type> RegisteredTypes => ManifestByType.Keys;

    /// <summary>The type registered under a manifest, or null.</summary>
    public static Type? TypeOf(string manifest) => TypeByManifest.GetValueOrDefault(manifest);

    public static string ManifestOf(object message) =>
        ManifestByType.TryGetValue(message.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{message.GetType().FullName} has no IoTSync manifest; register it in {nameof(IoTSyncCodec)}.");

    public static byte[] Encode(object message) => JsonSerializer.SerializeToUtf8Bytes(message, message.GetType(), Options);

    /// <summary>Decodes bytes under a manifest; a clear <see cref="FormatException"/> for anything malformed, and no other exception.</summary>
    public static object Decode(ReadOnlySpan<byte> bytes, string manifest)
    {
        if (!TypeByManifest.TryGetValue(manifest, out var type))
            throw new FormatException($"unknown IoTSync manifest '{manifest}'");
        object? decoded;
        try
        {
            decoded = JsonSerializer.Deserialize(bytes, type, Options);
        }
        catch (JsonException e)
        {
            throw new FormatException($"malformed '{manifest}': {e.Message}", e);
        }
        // The serializer passes on what a constructor or a collection throws; the callers know only FormatException.
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or OverflowException or FormatException)
        {
            throw new FormatException($"malformed '{manifest}': {e.GetType().Name}: {e.Message}", e);
        }
        return decoded ?? throw new FormatException($"'{manifest}' decoded to null");
    }

    public static T Decode<T>(ReadOnlySpan<byte> bytes) where T : IIoTSyncMessage =>
        (T)Decode(bytes, ManifestByType[typeof(T)]);
}
