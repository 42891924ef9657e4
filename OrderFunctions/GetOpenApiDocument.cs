using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/openapi.json</c>, anonymous: the OpenAPI 3.1 document of this API. The build generates it from the
/// standalone host; the committed copy (openapi.json, embedded in this assembly) is what both hosts serve.
/// </summary>
public sealed class GetOpenApiDocument
{
    public const string ResourceName = "openapi.json";

    private static readonly Lazy<byte[]> Document = new(() =>
    {
        using var stream = typeof(GetOpenApiDocument).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The {ResourceName} resource is missing from " +
                $"{typeof(GetOpenApiDocument).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    /// <summary>The committed document's bytes.</summary>
    public static ReadOnlyMemory<byte> Content => Document.Value;

    [Function(nameof(GetOpenApiDocument))]
    [EndpointSummary("This document")]
    [EndpointDescription("The OpenAPI 3.1 document of the API; anonymous.")]
    [Tags("Service")]
    [ProducesResponseType<object>(200, "application/json", Description = "The OpenAPI document.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        Task.FromResult<IResult>(TypedResults.Bytes(Document.Value, "application/json"));
}
