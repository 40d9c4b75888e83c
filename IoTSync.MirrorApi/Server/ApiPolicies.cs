using IoTSync.Mirror.Tokens;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The API's roles as authorisation policies: <c>read</c> sees everything; <c>operate</c> also submits
/// and cancels commands; <c>admin</c> also enrols, disables, rotates and manages tokens.
/// </summary>
public static class ApiPolicies
{
    public static readonly string Read = ApiRole.Read.Word();
    public static readonly string Operate = ApiRole.Operate.Word();
    public static readonly string Admin = ApiRole.Admin.Word();

    /// <summary>The role words whose holders may do what <paramref name="needed"/> allows.</summary>
    public static string[] Including(ApiRole needed) => [.. ApiRoles.All.Where(held => held.Allows(needed)).Select(held => held.Word())];
}
