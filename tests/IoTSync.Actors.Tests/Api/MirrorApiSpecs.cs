using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using IoTSync.Logs;
using IoTSync.MirrorApi;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.Tests.Security;
using Xunit;
using static IoTSync.Mirror.StateJournalMessages;

namespace IoTSync.Tests.Api;

/// <summary>
/// The mirror's HTTP API through the real server: the node as <c>iotsync-mirror run</c> builds it, Kestrel on
/// its control socket, requests from <see cref="MirrorApiClient"/> and from a plain HttpClient for what the
/// client would never send.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorApiSpecs : IAsyncLifetime
{
    private static readonly string Device = RunningMirror.Device.Value;
    private RunningMirror _mirror = null!;
    private MirrorApiClient _api = null!;

    public async Task InitializeAsync()
    {
        _mirror = await RunningMirror.Start(tls: false);
        _api = MirrorApiClient.ForSocket(_mirror.ControlSocket);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _mirror.DisposeAsync();
    }

    [Fact]
    public async Task Should_list_the_fleet_and_show_a_device_with_its_state_and_windows()
    {
        var fleet = await _api.Devices();
        var device = await _api.Device(Device);
        var state = await _api.State(Device);
        var windows = await _api.Windows(Device, 5);

        Assert.Equal([Device], fleet.Devices.Select(d => d.Device));
        Assert.Equal("never-seen", device.Status);
        Assert.Equal("iotsync@127.0.0.1:2222", device.Ssh);
        Assert.Equal(0, state.View.MirrorLog.Length);
        Assert.Equal(64, state.View.StateDigest.Length);
        Assert.Equal(0, windows.TotalWindows);
    }

    [Fact]
    public async Task Should_accept_a_command_with_202_its_sequence_and_location_and_show_it_pending()
    {
        using var http = MirrorApiClient.RawSocketClient(_mirror.ControlSocket);
        using var answer = await http.PostAsJsonAsync($"api/v1/devices/{Device}/commands", new SubmitCommandRequest(["uname", "-a"], ExpiresInMs: 60_000), ApiJson.Options);

        Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
        var command = (await answer.Content.ReadFromJsonAsync<CommandResource>(ApiJson.Options))!;
        Assert.Equal($"/api/v1/devices/{Device}/commands/1", answer.Headers.Location?.ToString());
        Assert.Equal((1, "pending"), (command.Sequence, command.Status));
        Assert.Equal(["uname", "-a"], command.Command.Argv);
        Assert.Equal("cli:" + Environment.UserName, command.Command.Issuer);
        Assert.Equal("pending", (await _api.Command(Device, 1)).Status);
        Assert.Equal(1, (await _api.Device(Device)).OpenCommands);
    }

    [Fact]
    public async Task Should_page_a_log_with_its_hash_chain_and_give_exactly_what_changed_since_update_numbers()
    {
        for (var i = 1; i <= 5; i++)
            await _api.Submit(Device, new SubmitCommandRequest(["echo", $"c{i}"]));

        var page = await _api.Entries(Device, "mirror", from: 2, limit: 2);
        var all = await _api.Entries(Device, "mirror");
        var first = await _api.Changes(Device, null, limit: 3);
        var rest = await _api.Changes(Device, first.Next);
        var none = await _api.Changes(Device, rest.Next);

        Assert.Equal([2L, 3L], page.Entries.Select(e => e.Sequence));
        Assert.Equal(4, page.Next);
        Assert.Null(all.Next);
        Assert.All(all.Entries.Zip(all.Entries.Skip(1)), pair => Assert.Equal(pair.Item1.Hash, pair.Item2.PreviousHash));
        Assert.Equal(["c1", "c2", "c3"], first.MirrorEntries.Select(e => e.Argv[1]));
        Assert.True(first.More);
        Assert.Equal("d0,m3", first.Next);
        Assert.Equal(["c4", "c5"], rest.MirrorEntries.Select(e => e.Argv[1]));
        Assert.False(rest.More);
        Assert.Empty(none.MirrorEntries);
        Assert.Equal("d0,m5", none.Next);
        // A device event stream's id names the same point.
        Assert.Equal(["c4", "c5"], (await _api.Changes(Device, "1796012072000.42.d0,m3")).MirrorEntries.Select(e => e.Argv[1]));
    }

    [Fact]
    public async Task Should_wake_a_waiting_request_when_the_devices_result_is_stored()
    {
        var left = await _api.Submit(Device, new SubmitCommandRequest(["echo", "hi"]));
        var waiting = _api.Command(Device, left.Sequence, waitMs: 60_000);
        var cut = await _api.Command(Device, left.Sequence, waitMs: 50);

        var result = LogEntry.NewResult(LogPosition.Empty(RunningMirror.Device, Origin.Device), new HlcTimestamp(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0),
            "device", new CommandRef(Origin.Mirror, left.Sequence), new ResultFields(CommandOutcome.Executed, 0, "hi\n", false, 4));
        await _mirror.Journals.Ask<object>(new AppendDeviceEntries(RunningMirror.Device, [result]), RunningMirror.Timeout);
        var resolved = await waiting.WaitAsync(RunningMirror.Timeout);

        Assert.Equal("pending", cut.Status);
        Assert.Equal("resolved", resolved.Status);
        Assert.Equal(("executed", "hi\n"), (resolved.Result!.Outcome, resolved.Result.Output));
        Assert.Equal(result.Hash.ToString(), resolved.ResultEntry!.Hash);
    }

    public static TheoryData<string, string, string?, int, string?> Refusals => new()
    {
        { "GET", "api/v1/devices/ghost", null, 404, null },
        { "GET", "api/v1/devices/Bad%20Id/state", null, 400, "id" },
        { "GET", "api/v1/nothing-here", null, 404, null },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"echo\", ", 400, null },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"echo\"], \"notAfterUnixMS\": 5}", 400, null },
        { "POST", $"api/v1/devices/{Device}/commands", "{}", 400, "argv" },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"\", \"x\"]}", 400, "argv" },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"echo\"], \"notAfterUnixMs\": 5}", 400, "notAfterUnixMs" },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"echo\"], \"notAfterUnixMs\": 99999999999999, \"expiresInMs\": 5}", 400, "expiresInMs" },
        { "POST", $"api/v1/devices/{Device}/commands", "{\"argv\": [\"echo\", \"" + new string('x', 2 * 1024 * 1024) + "\"]}", 413, null },
        { "POST", "api/v1/devices/ghost/commands", "{\"argv\": [\"echo\"]}", 404, null },
        { "POST", $"api/v1/devices/{Device}/commands/7/cancel", null, 404, null },
        { "GET", $"api/v1/devices/{Device}/entries?origin=both", null, 400, "origin" },
        { "GET", $"api/v1/devices/{Device}/entries?origin=mirror&limit=1000000", null, 400, "limit" },
        { "GET", $"api/v1/devices/{Device}/entries?origin=mirror&from=abc", null, 400, null },
        { "GET", $"api/v1/devices/{Device}/changes?since=m3", null, 400, "since" },
        { "GET", $"api/v1/devices/{Device}/windows?last=0", null, 400, "last" },
        { "POST", "api/v1/devices", "{\"device\": \"d2\", \"sshHost\": \"127.0.0.1\", \"sshPort\": 22, \"sshUser\": \"u\", \"hostKey\": \"SHA256:short\", \"heartbeatKey\": \"00\"}", 400, "hostKey" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Should_refuse_bad_input_with_a_problem_document_naming_the_field_and_write_nothing(string method, string path, string? body, int status, string? field)
    {
        var before = await _mirror.Observable();
        using var http = MirrorApiClient.RawSocketClient(_mirror.ControlSocket);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        // As MirrorApiClient sends a large body: the node answers 413 before any of it is sent.
        request.Headers.ExpectContinue = body?.Length > 64 * 1024;

        using var answer = await http.SendAsync(request);

        Assert.Equal(status, (int)answer.StatusCode);
        Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        var problem = await answer.Content.ReadFromJsonAsync<ProblemDocument>();
        Assert.Equal(status, problem!.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail));
        if (field is not null)
            Assert.Equal(field, problem.Field);
        Assert.Equal(before, await _mirror.Observable());
    }

    [Fact]
    public async Task Should_serve_a_valid_openapi_document_that_describes_every_route_of_the_api()
    {
        using var http = MirrorApiClient.RawSocketClient(_mirror.ControlSocket);
        await using var document = await http.GetStreamAsync(IoTSync.MirrorApi.Server.MirrorOpenApi.Path);
        var read = await Microsoft.OpenApi.OpenApiDocument.LoadAsync(document, "json");
        var routes = _mirror.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.Trim('/'))
            .Where(r => r.StartsWith("/api/v1", StringComparison.Ordinal))
            .Select(r => System.Text.RegularExpressions.Regex.Replace(r, @"\{(\w+):\w+\}", "{$1}"))
            .ToHashSet();

        Assert.Empty(read.Diagnostic?.Errors ?? []);
        Assert.NotEmpty(routes);
        Assert.Equal(routes.Order(), read.Document!.Paths.Keys.Order());
        Assert.Contains("bearer", read.Document.Components!.SecuritySchemes!.Keys);
        Assert.Contains("202", read.Document.Paths["/api/v1/devices/{id}/commands"].Operations![HttpMethod.Post].Responses!.Keys);
    }

    [Fact]
    public async Task Should_refuse_to_cancel_what_is_not_an_open_device_command_with_409()
    {
        var property = await _api.Submit(Device, new SubmitCommandRequest(["set", "colour", "blue"]));

        var refused = await Assert.ThrowsAsync<MirrorApiException>(() => _api.Cancel(Device, property.Sequence));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("is not an open device command", refused.Message);
    }
}

/// <summary>The API on TCP: no token, no resource; rate limits per caller; plain HTTP only on loopback.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MirrorApiTcpSpecs
{
    [Fact]
    public async Task Should_answer_401_with_a_bearer_challenge_to_a_request_without_a_token_over_tcp()
    {
        await using var mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http { listen = ["127.0.0.1:0"], tls = off }
            """);
        using var http = new HttpClient { BaseAddress = Assert.Single(mirror.ApiAddresses) };

        using var answer = await http.GetAsync("api/v1/devices");
        using var forged = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/devices") { Headers = { { "Authorization", "Bearer iotsync_forged" } } });

        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Equal("Bearer", answer.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(401, (await answer.Content.ReadFromJsonAsync<ProblemDocument>())!.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }

    [Fact]
    public async Task Should_serve_https_with_the_mirrors_fleet_certificate_that_a_client_trusting_the_fleet_ca_verifies()
    {
        using var fleet = new TestFleet();
        await using var mirror = await RunningMirror.Start(fleet: fleet, extraConfig: """
            iotsync.mirror.http.listen = ["127.0.0.1:0"]
            """);
        var address = Assert.Single(mirror.ApiAddresses);
        using var trusting = MirrorApiClient.ForUrl(address, token: null, fleet.Ca.Certificate);
        using var other = new TestFleet();
        using var stranger = MirrorApiClient.ForUrl(address, token: null, other.Ca.Certificate);

        var refused = await Assert.ThrowsAsync<MirrorApiException>(() => trusting.Devices());
        var untrusted = await Assert.ThrowsAnyAsync<HttpRequestException>(() => stranger.Devices());

        Assert.Equal("https", address.Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.IsNotType<MirrorApiException>(untrusted);
        // A client that also checks the name (curl --cacert, a browser): the certificate names 127.0.0.1.
        using var strict = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, errors) =>
            {
                if ((errors & ~System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) != System.Net.Security.SslPolicyErrors.None)
                    return false;
                chain!.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(fleet.Ca.Certificate);
                chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
                return chain.Build(certificate!);
            },
        }) { BaseAddress = address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await strict.GetAsync("api/v1/devices")).StatusCode);
    }

    [Fact]
    public async Task Should_serve_https_with_a_configured_certificate_instead_of_the_fleet_one()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=api.example", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var configured = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var directory = Directory.CreateTempSubdirectory("iotsync-api-cert-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "api.crt"), configured.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(directory, "api.key"), key.ExportPkcs8PrivateKeyPem());
            await using var mirror = await RunningMirror.Start(tls: false, extraConfig: $$"""
                iotsync.mirror.http { listen = ["127.0.0.1:0"], certificate = "{{directory}}/api.crt", key = "{{directory}}/api.key" }
                """);
            string? served = null;
            using var http = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                {
                    served = certificate?.Thumbprint;
                    return true;
                },
            }) { BaseAddress = Assert.Single(mirror.ApiAddresses) };

            using var answer = await http.GetAsync("api/v1/devices");

            Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
            Assert.Equal(configured.Thumbprint, served);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Should_answer_429_with_retry_after_once_a_caller_exceeds_its_rate()
    {
        await using var mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http.rate-limit { requests-per-second = 1, burst = 3 }
            """);
        using var http = MirrorApiClient.RawSocketClient(mirror.ControlSocket);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 10 && limited is null; i++)
        {
            var answer = await http.GetAsync("api/v1/devices");
            statuses.Add(answer.StatusCode);
            if (answer.StatusCode == HttpStatusCode.TooManyRequests)
                limited = answer;
            else
                answer.Dispose();
        }

        Assert.NotNull(limited);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 3, string.Join(", ", statuses));
        Assert.Equal("1", limited.Headers.RetryAfter?.ToString());
        Assert.Equal(429, (await limited.Content.ReadFromJsonAsync<ProblemDocument>())!.Status);
        limited.Dispose();
    }

    [Theory]
    [InlineData("iotsync.mirror.http { listen = [\"0.0.0.0:8443\"], tls = off }", "tls = off is allowed only on loopback")]
    [InlineData("iotsync.mirror.http.listen = [\"localhost:8443\"]", "is not ADDRESS:PORT with an IP address")]
    [InlineData("iotsync.mirror.http { certificate = \"a.crt\" }", "go together")]
    public void Should_refuse_an_unsafe_or_unclear_listen_configuration_naming_the_key(string hocon, string expected)
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString(hocon)
            .WithFallback(IoTSyncSystem.LoadNodeConfig(Path.Combine(AppContext.BaseDirectory, "hocon", "mirror.hocon")));

        var refused = Assert.Throws<Akka.Configuration.ConfigurationException>(() => MirrorApiSettings.FromConfig(config));

        Assert.Contains(expected, refused.Message);
        Assert.Contains("iotsync.mirror.http", refused.Message);
    }
}
