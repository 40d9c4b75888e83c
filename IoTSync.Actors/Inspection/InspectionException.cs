namespace IoTSync.Inspection;

/// <summary>
/// Something the user can fix: a missing database, a file that is not a journal, an unknown
/// device. The command line prints its message as one line, never a stack trace.
/// </summary>
public sealed class InspectionException(string message, Exception? inner = null) : Exception(message, inner);
