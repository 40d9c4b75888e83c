namespace IoTSync.Logs;

/// <summary>
/// The answer to a request a journal could not serve: its write failed, or its actor is down and restarting.
/// The message is the named fault (<see cref="Persistence.JournalFault"/>), e.g. <c>database full: …</c>.
/// </summary>
public sealed class JournalUnavailableException(string fault) : InvalidOperationException(fault);
