using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTSync.Tests.Mirror.Alerts;

/// <summary>
/// A webhook receiver on loopback (Kestrel), written as an operator would write one: it checks the
/// signature over the exact body with its own secret (its own HMAC code, not the mirror's), that the
/// id and timestamp headers agree with the signed body, and answers 401 when anything does not hold,
/// else <see cref="Answer"/>. What it accepted is kept in order of arrival.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _secret;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _rejected;
    private int _failed;
    private int _held;

    private WebhookReceiver(WebApplication app, byte[] secret)
    {
        (_app, _secret) = (app, secret);
        app.MapPost("/hook", Receive);
    }

    /// <summary>The alerts accepted (signature good, answered with a 2xx), in order of arrival.</summary>
    public ConcurrentQueue<JsonElement> Accepted { get; } = new();

    /// <summary>Deliveries refused because the signature or a header did not check.</summary>
    public int Rejected => _rejected;

    /// <summary>Deliveries with a good signature answered with a status that is not 2xx.</summary>
    public int Failed => _failed;

    /// <summary>The status answered to a delivery whose signature checks (204 unless a spec says otherwise).</summary>
    public int Answer { get; set; } = StatusCodes.Status204NoContent;

    /// <summary>When set, a delivery is read and then left unanswered until the receiver stops: a receiver that hangs.</summary>
    public bool Hang { get; set; }

    /// <summary>Deliveries left unanswered because <see cref="Hang"/> was set.</summary>
    public int Held => _held;

    public int Port { get; private set; }

    public Uri Url => new($"http://127.0.0.1:{Port}/hook");

    /// <summary>A receiver checking with <paramref name="secret"/>, on <paramref name="port"/> of 127.0.0.1 (0: any free port).</summary>
    public static async Task<WebhookReceiver> Start(byte[] secret, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var receiver = new WebhookReceiver(builder.Build(), secret);
        await receiver._app.StartAsync();
        var address = receiver._app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Port = new Uri(address).Port;
        return receiver;
    }

    /// <summary>The fields of the accepted alerts named <paramref name="field"/>, in order.</summary>
    public string[] Field(string field) => [.. Accepted.Select(a => a.GetProperty(field).ToString())];

    private async Task<IResult> Receive(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (Hang)
        {
            Interlocked.Increment(ref _held);
            await _released.Task;
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
        var expected = Encoding.ASCII.GetBytes("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(_secret, body)));
        var given = Encoding.ASCII.GetBytes(request.Headers["X-IoTSync-Signature"].ToString());
        if (!CryptographicOperations.FixedTimeEquals(expected, given))
            return Reject();
        using var document = JsonDocument.Parse(body);
        var alert = document.RootElement.Clone();
        if (request.Headers["X-IoTSync-Event-Id"] != alert.GetProperty("id").GetString()
            || request.Headers["X-IoTSync-Timestamp"] != alert.GetProperty("sentAt").GetInt64().ToString(CultureInfo.InvariantCulture))
            return Reject();
        if (Answer is < 200 or >= 300)
        {
            Interlocked.Increment(ref _failed);
            return Results.StatusCode(Answer);
        }
        Accepted.Enqueue(alert);
        return Results.StatusCode(Answer);
    }

    private IResult Reject()
    {
        Interlocked.Increment(ref _rejected);
        return Results.Unauthorized();
    }

    public async ValueTask DisposeAsync()
    {
        _released.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
