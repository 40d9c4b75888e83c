namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The API's roles as authorisation policies: <c>read</c> sees everything; <c>operate</c> also submits
/// and cancels commands; <c>admin</c> also enrols, disables, rotates and manages tokens.
/// </summary>
public static class ApiRoles
{
    public const string Read = "read";
    public const string Operate = "operate";
    public const string Admin = "admin";

    /// <summary>The roles that include <paramref name="policy"/>.</summary>
    public static string[] Including(string policy) => policy switch
    {
        Read => [Read, Operate, Admin],
        Operate => [Operate, Admin],
        _ => [Admin],
    };
}
