using IoTSync.Model;

namespace IoTSync.Tests.Security;

/// <summary>
/// One case of the bad-input suite: what the attacker sends (<see cref="Attack"/>, which also asserts the
/// attacker's view of the refusal), whose log must give the reason (<see cref="LogPattern"/>), and which
/// counter must go up. <see cref="Sent"/> and <see cref="Refusal"/> are the case's line in SECURITY.md.
/// </summary>
/// <param name="Name">The case's name, as the test output lists it.</param>
/// <param name="Sent">What was sent, and by which path.</param>
/// <param name="Refusal">How it is refused.</param>
/// <param name="Node">Whose log gives the reason and whose counter counts it.</param>
/// <param name="Counter">The refusal counter (<see cref="IoTSync.Security.Refusals"/>); null where the refusal is not ours (sshd's, a node that does not start).</param>
/// <param name="LogPattern">The reason, as the node logs it; null where nothing on the path logs one (said in SECURITY.md).</param>
/// <param name="Attack">Sends it and asserts what the attacker saw.</param>
public sealed record BadInputCase(string Name, string Sent, string Refusal, BadInputNode Node, string? Counter, string? LogPattern, Func<BadInputPair, Task> Attack)
{
    /// <summary>A fake device whose logs at the mirror must stay as they were too (the one the case attacks).</summary>
    public DeviceId? Watched { get; init; }

    /// <summary>
    /// The refusal is itself recorded in both logs (a command the device's allow-list refuses: the command and its
    /// refused result are the audit trail): both logs grow by exactly that, and nothing runs.
    /// </summary>
    public bool RecordedInTheLogs { get; init; }

    public override string ToString() => Name;
}
