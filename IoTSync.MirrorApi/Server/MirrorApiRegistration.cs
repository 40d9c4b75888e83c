using System.Security.Cryptography.X509Certificates;
using System.Threading.RateLimiting;
using Akka.Configuration;
using IoTSync.Control;
using IoTSync.Mirror.Tokens;
using IoTSync.MirrorApi.Events;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The HTTP API in a mirror node's web host: Kestrel on the control socket and on the configured TCP
/// addresses (<see cref="UseMirrorApiServer"/>), the services behind it (<see cref="AddMirrorApi"/>),
/// and the pipeline — problems, authentication, authorisation, rate limits, endpoints
/// (<see cref="UseMirrorApi"/>). The node's actors come from the mirror's own registration.
/// </summary>
public static class MirrorApiRegistration
{
    public static IServiceCollection AddMirrorApi(this IServiceCollection services, MirrorApiSettings settings)
    {
        services.AddSingleton(settings);
        services.AddSingleton<JournalChangeFeed>();
        services.AddSingleton<MirrorOperations>();
        services.AddRoutingCore();
        services.AddOpenApi(MirrorOpenApi.DocumentName, MirrorOpenApi.Configure);
        services.ConfigureHttpJsonOptions(options => ApiJson.Configure(options.SerializerOptions));
        // Binding failures (a query value that is not a number, a body that is not JSON) become problem documents.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddAuthentication(CallerAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, CallerAuthentication>(CallerAuthentication.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var role in ApiRoles.All)
                options.AddPolicy(role.Word(), policy => policy.RequireRole(ApiPolicies.Including(role)));
        });
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
                RateLimitPartition.GetTokenBucketLimiter(http.User.Identity?.Name ?? "anonymous", _ => Bucket(settings)));
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                return new ValueTask(ApiProblemWriter.Write(context.HttpContext,
                    new ApiProblem(429, "Too many requests", "this caller exceeds iotsync.mirror.http.rate-limit; retry after a second")));
            };
        });
        return services;
    }

    /// <summary>
    /// Refills the bucket in small steps so a caller's rate evens out within the second: at least one
    /// token per step, steps no shorter than a millisecond.
    /// </summary>
    private static TokenBucketRateLimiterOptions Bucket(MirrorApiSettings settings)
    {
        var perStep = Math.Max(1, settings.RequestsPerSecond / 100);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = perStep,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(Math.Max(1.0, perStep * 1000.0 / settings.RequestsPerSecond)),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }

    /// <summary>
    /// Kestrel on the control socket (refused while another node answers there; a stale file is
    /// replaced) and on each TCP address, HTTPS unless configured off on loopback.
    /// </summary>
    public static async Task UseMirrorApiServer(this IWebHostBuilder web, MirrorApiSettings settings)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("the control socket needs Unix file permissions");
        var directory = Path.GetDirectoryName(settings.ControlSocket)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(settings.ControlSocket))
        {
            if (await ControlConnection.IsAnswering(settings.ControlSocket))
                throw new ControlSocketException($"another mirror node is already running on {settings.ControlSocket}");
            File.Delete(settings.ControlSocket);
        }
        var certificate = settings.Tls && settings.Listen.Length > 0 ? LoadCertificate(settings) : null;
        web.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = settings.MaxRequestBytes;
            kestrel.ListenUnixSocket(settings.ControlSocket, listen => listen.Use(ControlSocketDoor.Mark));
            foreach (var endpoint in settings.Listen)
                kestrel.Listen(endpoint, listen =>
                {
                    if (certificate is not null)
                        listen.UseHttps(certificate);
                });
        });
    }

    private static X509Certificate2 LoadCertificate(MirrorApiSettings settings)
    {
        foreach (var (file, key) in new[] { (settings.Certificate, "certificate"), (settings.Key, "key") })
            if (!File.Exists(file))
                throw new ConfigurationException($"iotsync.mirror.http.{key}: {file} does not exist (iotsync-mirror ca init makes the mirror's; or set http.tls = off on loopback)");
        using var pem = X509Certificate2.CreateFromPemFile(settings.Certificate, settings.Key);
        // SslStream on Linux wants a key it can use from any thread: re-imported as PKCS#12 in memory.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public static WebApplication UseMirrorApi(this WebApplication app)
    {
        app.Use(ApiProblemWriter.Handle);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapMirrorEndpoints();
        app.MapOpenApi(MirrorOpenApi.Route).AllowAnonymous();
        // Anything else: a problem document, not an empty 404.
        app.MapFallback((HttpContext http) =>
            throw new ApiProblem(404, "Not found", $"no resource {http.Request.Method} {http.Request.Path} (the API is under {MirrorEndpoints.Prefix})"));
        return app;
    }
}
