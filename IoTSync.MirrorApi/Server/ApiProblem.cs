using Microsoft.AspNetCore.Http;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// A request the API refuses, as an RFC 9457 problem document: the HTTP status, a short title that
/// names the kind of refusal, the detail in words, and the request field at fault when there is one.
/// Thrown before anything is written, so a refusal changes nothing.
/// </summary>
public sealed class ApiProblem(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Field { get; } = field;

    public static ApiProblem BadRequest(string detail, string? field = null) => new(StatusCodes.Status400BadRequest, "Bad request", detail, field);

    public static ApiProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ApiProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, "Refused in the current state", detail);

    public static ApiProblem Unavailable(string detail) => new(StatusCodes.Status503ServiceUnavailable, "Not available now", detail);
}
