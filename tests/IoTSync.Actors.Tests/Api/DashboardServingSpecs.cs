using System.Net;
using System.Net.Http.Json;
using IoTSync.MirrorApi.Client;
using IoTSync.MirrorApi.Resources;
using IoTSync.MirrorApi.Server;
using IoTSync.Tests.Security;
using Xunit;

namespace IoTSync.Tests.Api;

/// <summary>
/// The dashboard's files through the real server: served without a token under a Content-Security-Policy
/// that allows this origin alone, <c>/</c> leading there, nothing else under it; and <c>whoami</c>, which
/// tells the page what the caller's role allows. The page itself is driven in a real browser by the node specs.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DashboardServingSpecs : IAsyncLifetime
{
    private RunningMirror _mirror = null!;

    public async Task InitializeAsync() =>
        _mirror = await RunningMirror.Start(tls: false, extraConfig: """
            iotsync.mirror.http { listen = ["127.0.0.1:0"], tls = off }
            """);

    public Task DisposeAsync() => _mirror.DisposeAsync().AsTask();

    private HttpClient Tcp() => new(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = Assert.Single(_mirror.ApiAddresses) };

    [Theory]
    [InlineData("dashboard/", "text/html")]
    [InlineData("dashboard/dashboard.js", "text/javascript")]
    [InlineData("dashboard/dashboard.css", "text/css")]
    [InlineData("dashboard/icon.svg", "image/svg+xml")]
    public async Task Should_serve_each_dashboard_file_over_tcp_without_a_token_under_a_self_only_content_security_policy(string path, string type)
    {
        using var http = Tcp();

        using var answer = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(type, answer.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("default-src 'self'", Assert.Single(answer.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(answer.Headers.GetValues("X-Content-Type-Options")));
        Assert.NotEmpty(await answer.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/dashboard")]
    public async Task Should_redirect_to_the_dashboard(string path)
    {
        using var http = Tcp();

        using var answer = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal(DashboardEndpoints.Prefix, answer.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Should_answer_a_file_the_dashboard_does_not_have_with_a_404_problem()
    {
        using var http = Tcp();

        using var answer = await http.GetAsync("dashboard/secrets.json");

        Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
        Assert.Equal(404, (await answer.Content.ReadFromJsonAsync<ProblemDocument>())!.Status);
    }

    [Fact]
    public async Task Should_load_the_page_script_as_a_module_from_this_origin_with_no_inline_script_or_style()
    {
        using var http = Tcp();

        var page = await http.GetStringAsync("dashboard/");
        var script = await http.GetStringAsync("dashboard/dashboard.js");

        Assert.Contains("<script type=\"module\" src=\"dashboard.js\"></script>", page);
        Assert.DoesNotContain("style=", page);
        Assert.DoesNotContain("<style", page);
        Assert.DoesNotContain("onclick", page);
        // Text from the API goes into the page as text only.
        Assert.DoesNotContain(".innerHTML", script);
        Assert.DoesNotContain(".outerHTML", script);
        Assert.DoesNotContain(".insertAdjacentHTML", script);
        Assert.DoesNotContain("document.write", script);
        Assert.DoesNotContain("localStorage", script);
    }

    [Fact]
    public async Task Should_tell_the_caller_its_name_and_role_and_refuse_whoami_without_a_token_over_tcp()
    {
        using var socket = MirrorApiClient.RawSocketClient(_mirror.ControlSocket);
        using var tcp = Tcp();

        var local = await socket.GetFromJsonAsync<WhoAmIResource>("api/v1/whoami");
        using var anonymous = await tcp.GetAsync("api/v1/whoami");

        Assert.StartsWith("cli:", local!.Name);
        Assert.Equal("admin", local.Role);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
