using IoTSync.Logs;

namespace IoTSync.Sync;

/// <summary>The result of offering a batch to a side: the check, and that side's view afterwards.</summary>
public sealed record AppendResult(ChainCheck Check, SyncView View);
