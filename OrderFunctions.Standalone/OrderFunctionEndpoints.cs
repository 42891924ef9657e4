using OrderFunctions.Access;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Standalone;

/// <summary>
/// Serves the function classes themselves on plain ASP.NET Core routing, at the routes the Functions host gives them:
/// every <c>[Function]</c> with an <c>[HttpTrigger]</c> in the function app, its route under host.json's
/// <c>routePrefix</c>, its methods, and a key check unless its level is Anonymous. Nothing here names a route.
/// </summary>
public static partial class OrderFunctionEndpoints
{
    // Beside this assembly rather than AppContext.BaseDirectory: the build-time OpenAPI generator runs this app from
    // its own tool folder.
    public static IEndpointRouteBuilder MapOrderFunctions(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapOrderFunctions(Path.Combine(AppDirectory.Path, "host.json"));

    public static IEndpointRouteBuilder MapOrderFunctions(this IEndpointRouteBuilder endpoints, string hostJsonPath)
    {
        WarnWhenOpen(endpoints.ServiceProvider);
        var routePrefix = FunctionRouteTable.ReadRoutePrefix(hostJsonPath);
        var api = endpoints.MapGroup("").AddEndpointFilter<FunctionKeyFilter>();
        foreach (var route in FunctionRouteTable.Discover(typeof(CreateOrder).Assembly))
        {
            // A Delegate, not a RequestDelegate: the returned IResult is executed and the key filter runs.
            Func<HttpContext, Task<IResult>> handler = new FunctionInvoker(route).InvokeAsync;
            var endpoint = api.MapMethods(route.Pattern(routePrefix), route.Methods, (Delegate)handler)
                .WithName(route.Name)
                .WithMetadata(route)
                // The function's own attributes (summary, tags, response types, query parameters) describe it in OpenAPI.
                // None may change routing: an IAcceptsMetadata ([Consumes]) would answer 415 before the function does.
                .WithMetadata([.. route.Method.GetCustomAttributes(inherit: true)]);
            if (route.AuthLevel == AuthorizationLevel.Anonymous) endpoint.AllowAnonymous();
        }
        return endpoints;
    }

    // Open only when neither function keys nor named callers guard it: with callers, every route already asks for a
    // caller's key (OrderAccess), and OrderAccessAnnouncement names them at start.
    private static void WarnWhenOpen(IServiceProvider services)
    {
        if (services.GetRequiredService<IOptions<OrderApiOptions>>().Value.Keys.All(string.IsNullOrEmpty)
            && services.GetRequiredService<OrderCallers>().IsOpen)
        {
            LogOpen(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FunctionKeyFilter)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No function key is configured (OrderApi:Keys): the API is open to anyone who can reach it.")]
    private static partial void LogOpen(ILogger logger);
}
