using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.MirrorApi.Client;

/// <summary>
/// A reader of the mirror's live event streams (server-sent events): opens <c>/api/v1/events</c> or a
/// device's <c>/events</c>, optionally from a <c>Last-Event-ID</c>, and reads one event at a time
/// (<c>id:</c>, <c>event:</c>, <c>data:</c>); comment lines (<c>: keep-alive</c>) are counted, not returned.
/// </summary>
public sealed class LiveEventReader : IDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private LiveEventReader(HttpResponseMessage response, Stream body)
    {
        _response = response;
        _reader = new StreamReader(body, Encoding.UTF8);
    }

    /// <summary>The id of the last event read: what to reconnect with.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>Comment lines read so far (keep-alives).</summary>
    public int Comments { get; private set; }

    /// <summary>
    /// The stream at <paramref name="path"/> (relative to the client's base address), continuing after
    /// <paramref name="lastEventId"/> when given; a refusal throws <see cref="MirrorApiException"/>.
    /// </summary>
    public static async Task<LiveEventReader> Open(HttpClient http, string path, string? lastEventId = null, CancellationToken cancel = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? await response.Content.ReadFromJsonAsync<ProblemDocument>(cancel)
                    : null;
                throw new MirrorApiException(response.StatusCode, problem
                    ?? new ProblemDocument("about:blank", response.ReasonPhrase ?? "", (int)response.StatusCode, $"{path} answered {(int)response.StatusCode} {response.ReasonPhrase}"));
            }
        }
        return new LiveEventReader(response, await response.Content.ReadAsStreamAsync(cancel));
    }

    /// <summary>
    /// The next event, or null when the server ended the stream; with <paramref name="comments"/>, a comment
    /// line too, as an event of type <see cref="LiveEventMessage.Comment"/> with the text as its data.
    /// </summary>
    public async Task<LiveEventMessage?> Next(CancellationToken cancel = default, bool comments = false)
    {
        string? id = null;
        string? type = null;
        var data = new StringBuilder();
        while (await _reader.ReadLineAsync(cancel) is { } line)
        {
            if (line.Length == 0)
            {
                if (type is null && data.Length == 0)
                    continue;
                if (id is not null)
                    LastEventId = id;
                return new LiveEventMessage(id, type ?? "message", data.ToString());
            }
            if (line[0] == ':')
            {
                Comments++;
                if (comments)
                    return new LiveEventMessage(null, LiveEventMessage.Comment, line[1..].TrimStart(' '));
                continue;
            }
            var colon = line.IndexOf(':');
            var (field, value) = colon < 0 ? (line, "") : (line[..colon], line[(colon + 1)..].TrimStart(' '));
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    if (data.Length > 0)
                        data.Append('\n');
                    data.Append(value);
                    break;
            }
        }
        return null;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _response.Dispose();
    }
}

/// <summary>One server-sent event: its id, its type (<c>entry</c>, <c>command</c>, ...) and its data, a resource in JSON.</summary>
public sealed record LiveEventMessage(string? Id, string Type, string Data)
{
    /// <summary>The type <see cref="LiveEventReader.Next"/> gives a comment line, when asked to.</summary>
    public const string Comment = ":";

    /// <summary>The data as the resource of type <typeparamref name="T"/>.</summary>
    public T As<T>() => JsonSerializer.Deserialize<T>(Data, ApiJson.Options) ?? throw new JsonException($"a {Type} event with no data");
}
