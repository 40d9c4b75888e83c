using System.Net;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.MirrorApi.Client;

/// <summary>The mirror refused a request: the HTTP status and its problem document; the message is the document's detail.</summary>
public sealed class MirrorApiException(HttpStatusCode status, ProblemDocument problem)
    : HttpRequestException(problem.Detail, null, status)
{
    public ProblemDocument Problem { get; } = problem;
}
