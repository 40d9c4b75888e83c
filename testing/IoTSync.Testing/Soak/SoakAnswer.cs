namespace IoTSync.Testing.Soak;

/// <summary>What the node told the driver about one request.</summary>
public enum SoakAnswer
{
    /// <summary>Answered with the recorded entry: issued.</summary>
    Recorded,

    /// <summary>Refused with a reason (a full disk, no node running): not issued, and it must not be in any log.</summary>
    Refused,

    /// <summary>No answer (the node was killed or frozen mid-request): issued exactly when its log holds it.</summary>
    Unanswered,
}
