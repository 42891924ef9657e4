using Microsoft.OpenApi;

namespace OrderFunctions.Standalone.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of the functions as this host maps them (Microsoft.AspNetCore.OpenApi). The build writes
/// it to obj/&lt;Configuration&gt;/openapi/openapi.json (Microsoft.Extensions.ApiDescription.Server); the committed copy,
/// OrderFunctions/openapi.json, is what GET /API/openapi.json serves on both hosts.
/// </summary>
public static class OrderApiOpenApi
{
    public const string HeaderScheme = "functionKey";
    public const string QueryScheme = "functionKeyQuery";
    public const string CallerScheme = "callerKey";

    public static IServiceCollection AddOrderApiOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddOperationTransformer<OrderApiOperationTransformer>();
            options.AddDocumentTransformer<OrderApiDocumentTransformer>();
        });
}
