using System.Text.Json;
using Akka.Actor;
using IoTSync.MirrorApi.Resources;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// Writes refusals as RFC 9457 problem documents, and turns whatever a request threw into one: an
/// <see cref="ApiProblem"/> as it says; a body that is not the JSON expected, 400 with the reason; a
/// body over the limit, 413; an actor that did not answer in time, 503. Nothing else escapes as a
/// stack trace.
/// </summary>
public static class ApiProblemWriter
{
    public const string ContentType = "application/problem+json";

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
        }
        catch (Exception e) when (!http.Response.HasStarted && Problem(e, http) is { } problem)
        {
            if (e is not ApiProblem && problem.Status == StatusCodes.Status400BadRequest)
                http.RequestServices.GetRequiredService<MirrorOperations>().Malformed(http.Request, problem.Message);
            await Write(http, problem);
        }
    }

    private static ApiProblem? Problem(Exception e, HttpContext http) => e switch
    {
        ApiProblem problem => problem,
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
            new ApiProblem(413, "Request too large", "the request body is larger than iotsync.mirror.http.max-request-bytes"),
        BadHttpRequestException { InnerException: JsonException json } => new ApiProblem(400, "Bad request", $"the body is not the JSON expected: {json.Message}", JsonField(json)),
        BadHttpRequestException bad => new ApiProblem(bad.StatusCode, "Bad request", bad.Message),
        JsonException json => new ApiProblem(400, "Bad request", $"the body is not the JSON expected: {json.Message}", JsonField(json)),
        AskTimeoutException => ApiProblem.Unavailable("the node did not answer in time (iotsync.mirror.request-timeout); try again"),
        OperationCanceledException when http.RequestAborted.IsCancellationRequested => null,
        _ => null,
    };

    /// <summary>"$.argv[0]" as "argv": the field a JSON error is at.</summary>
    private static string? JsonField(JsonException json) =>
        json.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : null;
}
