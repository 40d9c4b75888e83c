using System.Text.Json;
using Akka.Actor;
using IoTSync.MirrorApi.Resources;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Writes refusals as RFC 9457 problem documents, and turns whatever a request threw into one: an
/// <see cref="ApiProblem"/> as it says; a body that is not the JSON expected, 400 with the reason; a
/// body over the limit, 413; an actor that did not answer in time, or a journal that cannot write now
/// (a full disk), 503. Anything else is a 500 whose body names no internals.
/// </summary>
public static class ApiProblemWriter
{
    public const string ContentType = "application/problem+json";

    /// <summary>The title of a 503 that wrote nothing (the journal cannot write now), unlike a timeout, after which the outcome is not known.</summary>
    public const string JournalUnavailable = "Journal unavailable";

    public static Task Write(HttpContext http, ApiProblem problem)
    {
        http.Response.StatusCode = problem.Status;
        http.Response.ContentType = ContentType;
        var document = new ProblemDocument($"/problems/{Slug(problem.Title)}", problem.Title, problem.Status, problem.Message, problem.Field);
        return http.Response.WriteAsync(JsonSerializer.Serialize(document, ApiJson.Options) + "\n");
    }

    private static string Slug(string title) => string.Join('-', title.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Middleware: every exception a request throws, as a problem document.</summary>
    public static async Task Handle(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
            // A status set with nothing written (ASP.NET's own refusals, such as a body over the limit): said as a problem too.
            if (!http.Response.HasStarted && http.Response.StatusCode >= 400)
                await Write(http, ForStatus(http.Response.StatusCode));
        }
        catch (Exception e) when (!http.Response.HasStarted && Problem(e, http) is { } problem)
        {
            if (e is not ApiProblem && problem.Status == StatusCodes.Status400BadRequest)
                http.RequestServices.GetRequiredService<MirrorOperations>().Malformed(http.Request, problem.Message);
            if (problem.Status == StatusCodes.Status500InternalServerError)
                http.RequestServices.GetRequiredService<MirrorOperations>().Failed(http.Request, e);
            await Write(http, problem);
        }
    }

    private static ApiProblem ForStatus(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => TooLarge,
        StatusCodes.Status400BadRequest => new ApiProblem(status, "Bad request", "the request could not be read"),
        StatusCodes.Status405MethodNotAllowed => new ApiProblem(status, "Method not allowed", "this resource does not take that method"),
        _ => new ApiProblem(status, "Refused", $"refused with status {status}"),
    };

    private static ApiProblem TooLarge => new(413, "Request too large", "the request body is larger than iotsync.mirror.http.max-request-bytes");

    private static ApiProblem? Problem(Exception e, HttpContext http) => e switch
    {
        ApiProblem problem => problem,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => TooLarge,
        BadHttpRequestException { InnerException: JsonException json } => new ApiProblem(400, "Bad request", $"the body is not the JSON expected: {json.Message}", JsonField(json)),
        BadHttpRequestException bad => new ApiProblem(bad.StatusCode, "Bad request", bad.Message),
        JsonException json => new ApiProblem(400, "Bad request", $"the body is not the JSON expected: {json.Message}", JsonField(json)),
        AskTimeoutException => ApiProblem.Unavailable("the node did not answer in time (iotsync.mirror.request-timeout); try again"),
        IoTSync.Logs.JournalUnavailableException journal => new ApiProblem(503, JournalUnavailable, $"nothing was written: {journal.Message}"),
        OperationCanceledException when http.RequestAborted.IsCancellationRequested => null,
        _ => new ApiProblem(500, "Internal error", $"the node failed to answer ({e.GetType().Name}); its log has the details"),
    };

    /// <summary>"$.argv[0]" as "argv": the field a JSON error is at.</summary>
    private static string? JsonField(JsonException json) =>
        json.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : null;
}
