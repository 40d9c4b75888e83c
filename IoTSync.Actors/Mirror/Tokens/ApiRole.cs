namespace IoTSync.Mirror.Tokens;

/// <summary>
/// What an API token may do, each role including the one before it: <see cref="Read"/> (devices, state,
/// logs, commands, windows), <see cref="Operate"/> (read, and submit and cancel commands), <see cref="Admin"/>
/// (operate, and enrol, disable, enable and rotate devices, and create, list and revoke tokens). On the
/// wire and in the journal as its word (<see cref="ApiRoles.Word"/>), never as a number.
/// </summary>
public enum ApiRole
{
    // No zero: a role left at its default is no role at all, never the weakest or the strongest.
    Read = 1,
    Operate = 2,
    Admin = 3,
}
