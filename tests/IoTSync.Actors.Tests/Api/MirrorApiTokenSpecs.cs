using System.Net;
using System.Net.Http.Json;
using IoTSync.MirrorApi;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Testing;
using IoTSync.Tests.Security;
using Xunit;

namespace IoTSync.Tests.Api;

/// <summary>
/// Bearer tokens through the real server: made over the control socket (admin), used over TCP, each
/// role held to what it allows, revocation and expiry at once, and the token's text kept nowhere.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorApiTokenSpecs : IAsyncLifetime
{
    private static readonly string Device = RunningMirror.Device.Value;
    private RunningMirror _mirror = null!;
    private MirrorApiClient _local = null!;

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http { listen = ["127.0.0.1:0"], tls = off }
            """);
        _local = MirrorApiClient.ForSocket(_mirror.ControlSocket);
    }

    public async Task DisposeAsync()
    {
        _local.Dispose();
        await _mirror.DisposeAsync();
    }

    private MirrorApiClient Tcp(string? token) => MirrorApiClient.ForUrl(_mirror.ApiAddresses.Single(), token);

    private async Task<string> Token(string name, string role, long? validForMs = null) =>
        (await _local.CreateToken(new CreateTokenRequest(name, role, validForMs))).Bearer;

    private static async Task<HttpStatusCode> StatusOf(Func<Task> call)
    {
        try
        {
            await call();
            return HttpStatusCode.OK;
        }
        catch (MirrorApiException refused)
        {
            return refused.StatusCode!.Value;
        }
    }

    [Fact]
    public async Task Should_hold_each_role_to_what_it_allows()
    {
        using var reader = Tcp(await Token("dashboard", "read"));
        using var operator_ = Tcp(await Token("scheduler", "operate"));
        using var admin = Tcp(await Token("ops", "admin"));
        var enrol = new EnrolRequest("dev-2", "127.0.0.1", 22, "iotsync", "SHA256:" + new string('A', 43), new string('7', 64));
        var command = new SubmitCommandRequest(["uptime"]);

        Assert.Equal(HttpStatusCode.OK, await StatusOf(() => reader.Devices()));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(() => reader.Submit(Device, command)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(() => reader.Tokens()));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(() => operator_.Enrol(enrol)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(() => operator_.SetDisabled(Device, true)));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOf(() => operator_.CreateToken(new CreateTokenRequest("escalated", "admin"))));
        var left = await operator_.Submit(Device, command);
        Assert.Equal("token:scheduler", left.Command.Issuer);
        Assert.Equal("dev-2", (await admin.Enrol(enrol)).Device);
        Assert.Equal(2, (await reader.Devices()).Devices.Count);
        // Refused requests wrote nothing: one command, the one the operate token left.
        Assert.Equal(1, (await reader.State(Device)).View.MirrorLog.Length);
    }

    [Fact]
    public async Task Should_refuse_a_revoked_token_at_once_and_an_expired_one_once_it_expires()
    {
        var revokedToken = await Token("laptop", "read");
        var expiringToken = await Token("short-lived", "read", validForMs: 300);
        using var revoked = Tcp(revokedToken);
        using var expiring = Tcp(expiringToken);
        Assert.Equal(HttpStatusCode.OK, await StatusOf(() => revoked.Devices()));

        await _local.RevokeToken("laptop");

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOf(() => revoked.Devices()));
        await Polling.Until(async () => await StatusOf(() => expiring.Devices()) == HttpStatusCode.Unauthorized, RunningMirror.Timeout, "the token expired");
        var listed = (await _local.Tokens()).Tokens.ToDictionary(t => t.Name, t => t.Status);
        Assert.Equal("revoked", listed["laptop"]);
        Assert.Equal("expired", listed["short-lived"]);
        Assert.True(_mirror.Refusals.Of(IoTSync.Security.Refusals.ApiToken) >= 2);
    }

    [Theory]
    [InlineData("Bearer iotsync_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Bearer not-a-token")]
    [InlineData("Basic cm9vdDpyb290")]
    public async Task Should_refuse_a_made_up_or_malformed_authorization_with_401(string authorization)
    {
        using var http = new HttpClient { BaseAddress = _mirror.ApiAddresses.Single() };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/devices");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);

        using var answer = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal(401, (await answer.Content.ReadFromJsonAsync<ProblemDocument>())!.Status);
    }

    [Fact]
    public async Task Should_show_a_token_once_and_keep_only_its_hash()
    {
        var issued = await _local.CreateToken(new CreateTokenRequest("ci", "operate"));
        var duplicate = await Assert.ThrowsAsync<MirrorApiException>(() => _local.CreateToken(new CreateTokenRequest("ci", "read")));
        var badRole = await Assert.ThrowsAsync<MirrorApiException>(() => _local.CreateToken(new CreateTokenRequest("other", "root")));

        Assert.StartsWith("iotsync_", issued.Bearer);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Equal(("role", HttpStatusCode.BadRequest), (badRole.Problem.Field, badRole.StatusCode));
        var listing = System.Text.Json.JsonSerializer.Serialize(await _local.Tokens(), ApiJson.Options);
        Assert.DoesNotContain(issued.Bearer, listing);
        Assert.DoesNotContain(issued.Bearer[8..], listing);
        foreach (var file in Directory.GetFiles(_mirror.StateDirectory, "mirror.db*"))
        {
            var bytes = await ReadShared(file);
            Assert.DoesNotContain(issued.Bearer[8..], System.Text.Encoding.Latin1.GetString(bytes));
        }
    }

    private static async Task<byte[]> ReadShared(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}
