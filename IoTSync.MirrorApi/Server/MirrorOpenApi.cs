using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IoTSync.MirrorApi.Server;

/// <summary>
/// The API's OpenAPI document, generated from the endpoints (Microsoft.AspNetCore.OpenApi) and served at
/// <see cref="Route"/> without a token: it describes the API, not the fleet. It names the bearer scheme
/// every resource needs over TCP.
/// </summary>
public static class MirrorOpenApi
{
    public const string DocumentName = "v1";
    public const string Route = "/openapi/{documentName}.json";
    public const string Path = "/openapi/v1.json";

    public static void Configure(OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "IoTSync mirror API",
                Version = DocumentName,
                Description = "Applications read a device's mirrored state and leave commands at the mirror; the device runs them in its next window. "
                              + "Over TCP every resource needs a bearer token (iotsync-mirror token create); refusals are RFC 9457 problem documents.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
            {
                ["bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A token from iotsync-mirror token create." },
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        });
}
