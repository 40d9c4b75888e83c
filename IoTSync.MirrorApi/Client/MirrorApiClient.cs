using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IoTSync.MirrorApi.Resources;

namespace IoTSync.MirrorApi.Client;

/// <summary>
/// A client of the mirror's HTTP API: over the node's control socket (the local CLI: no token) or
/// over TCP with a bearer token. Each method is one request; a refusal throws
/// <see cref="MirrorApiException"/> with the node's problem document, a node that cannot be reached
/// an <see cref="HttpRequestException"/> that says where it was looked for.
/// </summary>
public sealed class MirrorApiClient : IDisposable
{
    private static readonly JsonSerializerOptions Reading = new(ApiJson.Options) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip };
    private const int LargeBody = 64 * 1024;
    private readonly HttpClient _http;
    private readonly string _where;
    private readonly Func<string, string> _unreachable;

    private MirrorApiClient(HttpClient http, string where, Func<string, string> unreachable)
    {
        _http = http;
        _where = where;
        _unreachable = unreachable;
    }

    /// <summary>Through the control socket at <paramref name="socketPath"/>.</summary>
    public static MirrorApiClient ForSocket(string socketPath, TimeSpan? timeout = null) =>
        new(RawSocketClient(socketPath, timeout), $"the mirror node's control socket {socketPath}", why => $"no mirror node is running (nothing answers on {socketPath}: {why})");

    /// <summary>A plain HttpClient whose every connection goes to the control socket (base address http://mirror/): for requests this client has no method for.</summary>
    public static HttpClient RawSocketClient(string socketPath, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        // The host name is never resolved: every connection goes to the socket.
        return new HttpClient(handler) { BaseAddress = new Uri("http://mirror/"), Timeout = timeout ?? Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// Over TCP at <paramref name="baseAddress"/> with <paramref name="token"/>; with
    /// <paramref name="trustedCa"/> (the fleet CA), HTTPS is verified as a device verifies the mirror: a chain
    /// to that CA alone, for server authentication. The fleet CA issues server certificates to mirrors only, so
    /// the name in the certificate is not compared with the address.
    /// </summary>
    public static MirrorApiClient ForUrl(Uri baseAddress, string? token, X509Certificate2? trustedCa = null, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler();
        if (trustedCa is not null)
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    certificate is not null && (errors & SslPolicyErrors.RemoteCertificateNotAvailable) == 0 && ChainsTo(certificate, trustedCa),
            };
        var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? Timeout.InfiniteTimeSpan };
        if (token is not null)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new MirrorApiClient(http, $"the mirror's API at {baseAddress}", why => $"cannot reach the mirror's API at {baseAddress}: {why}");
    }

    private static bool ChainsTo(X509Certificate certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.1"));
        using var presented = new X509Certificate2(certificate);
        return chain.Build(presented);
    }

    public Task<DeviceList> Devices(CancellationToken cancel = default) => Get<DeviceList>("api/v1/devices", cancel);

    public Task<DeviceResource> Device(string id, CancellationToken cancel = default) => Get<DeviceResource>($"api/v1/devices/{Escape(id)}", cancel);

    public Task<DeviceStateResource> State(string id, CancellationToken cancel = default) => Get<DeviceStateResource>($"api/v1/devices/{Escape(id)}/state", cancel);

    public Task<EntryPage> Entries(string id, string origin, long from = 1, int? limit = null, CancellationToken cancel = default) =>
        Get<EntryPage>($"api/v1/devices/{Escape(id)}/entries?origin={Escape(origin)}&from={N(from)}{(limit is { } l ? $"&limit={N(l)}" : "")}", cancel);

    public Task<ChangeSet> Changes(string id, string? since, int? limit = null, CancellationToken cancel = default) =>
        Get<ChangeSet>($"api/v1/devices/{Escape(id)}/changes?since={Escape(since ?? "")}{(limit is { } l ? $"&limit={N(l)}" : "")}", cancel);

    public Task<WindowList> Windows(string id, int last, CancellationToken cancel = default) =>
        Get<WindowList>($"api/v1/devices/{Escape(id)}/windows?last={N(last)}", cancel);

    public Task<CommandResource> Submit(string id, SubmitCommandRequest request, CancellationToken cancel = default) =>
        Send<CommandResource>(HttpMethod.Post, $"api/v1/devices/{Escape(id)}/commands", request, cancel);

    /// <summary>The command as it stands; with <paramref name="waitMs"/>, once resolved or when the wait runs out.</summary>
    public Task<CommandResource> Command(string id, long sequence, long? waitMs = null, CancellationToken cancel = default) =>
        Get<CommandResource>($"api/v1/devices/{Escape(id)}/commands/{N(sequence)}{(waitMs is { } w ? $"?waitMs={N(w)}" : "")}", cancel);

    public Task<CommandResource> Cancel(string id, long sequence, CancellationToken cancel = default) =>
        Send<CommandResource>(HttpMethod.Post, $"api/v1/devices/{Escape(id)}/commands/{N(sequence)}/cancel", null, cancel);

    public Task<EnrolledResource> Enrol(EnrolRequest request, CancellationToken cancel = default) =>
        Send<EnrolledResource>(HttpMethod.Post, "api/v1/devices", request, cancel);

    /// <summary>The mirror host's authorized_keys lines for the enrolled, enabled reverse devices.</summary>
    public Task<AuthorizedKeysResource> ReverseAuthorizedKeys(CancellationToken cancel = default) =>
        Get<AuthorizedKeysResource>("api/v1/reverse/authorized-keys", cancel);

    public Task<StandingResource> SetDisabled(string id, bool disable, CancellationToken cancel = default) =>
        Send<StandingResource>(HttpMethod.Post, $"api/v1/devices/{Escape(id)}/{(disable ? "disable" : "enable")}", null, cancel);

    public Task<RotatedResource> Rotate(string id, RotateRequest request, CancellationToken cancel = default) =>
        Send<RotatedResource>(HttpMethod.Post, $"api/v1/devices/{Escape(id)}/rotate", request, cancel);

    public Task<IssuedTokenResource> CreateToken(CreateTokenRequest request, CancellationToken cancel = default) =>
        Send<IssuedTokenResource>(HttpMethod.Post, "api/v1/tokens", request, cancel);

    public Task<TokenList> Tokens(CancellationToken cancel = default) => Get<TokenList>("api/v1/tokens", cancel);

    public Task<TokenResource> RevokeToken(string name, CancellationToken cancel = default) =>
        Send<TokenResource>(HttpMethod.Post, $"api/v1/tokens/{Escape(name)}/revoke", null, cancel);

    /// <summary>The live events of the fleet, or of <paramref name="device"/>, continuing after <paramref name="lastEventId"/> when given.</summary>
    public Task<LiveEventReader> Events(string? device = null, string? lastEventId = null, CancellationToken cancel = default) =>
        LiveEventReader.Open(_http, device is null ? "api/v1/events" : $"api/v1/devices/{Escape(device)}/events", lastEventId, cancel);

    public Task<RefusalsResource> Refusals(CancellationToken cancel = default) => Get<RefusalsResource>("api/v1/refusals", cancel);

    private Task<T> Get<T>(string path, CancellationToken cancel) => Send<T>(HttpMethod.Get, path, null, cancel);

    private async Task<T> Send<T>(HttpMethod method, string path, object? body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            var json = JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), ApiJson.Options);
            request.Content = new ByteArrayContent(json) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
            // A large body waits for the node's go-ahead: one over its limit is answered 413, not cut off mid-send.
            request.Headers.ExpectContinue = json.Length > LargeBody;
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancel);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            // Nothing was sent: the node is not there.
            throw new HttpRequestException(HttpRequestError.ConnectionError, _unreachable(e.InnerException is SocketException socket ? socket.SocketErrorCode.ToString() : e.Message), e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw await Refusal(response, cancel);
            return await response.Content.ReadFromJsonAsync<T>(Reading, cancel)
                   ?? throw new HttpRequestException($"{_where} answered {path} with an empty body");
        }
    }

    private async Task<MirrorApiException> Refusal(HttpResponseMessage response, CancellationToken cancel)
    {
        ProblemDocument? problem = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            problem = await response.Content.ReadFromJsonAsync<ProblemDocument>(Reading, cancel);
        return new MirrorApiException(response.StatusCode, problem
            ?? new ProblemDocument("about:blank", response.ReasonPhrase ?? "", (int)response.StatusCode, $"{_where} answered {(int)response.StatusCode} {response.ReasonPhrase}"));
    }

    private static string Escape(string text) => Uri.EscapeDataString(text);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _http.Dispose();
}
