using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Standalone;

/// <summary>
/// Serves the function classes themselves on plain ASP.NET Core routing, at the routes the Functions host gives them
/// (routePrefix "API" + each function's route). A function is created per request the way the worker creates it
/// (ActivatorUtilities over the request's services), so no logic is copied here.
/// </summary>
public static partial class OrderFunctionEndpoints
{
    public const string RoutePrefix = "/API";

    public static IEndpointRouteBuilder MapOrderFunctions(this IEndpointRouteBuilder endpoints)
    {
        // Function-level routes need a key when keys are configured; AuthorizationLevel.Anonymous ones say AllowAnonymous.
        var api = endpoints.MapGroup(RoutePrefix).AddEndpointFilter<FunctionKeyFilter>();
        WarnWhenOpen(endpoints.ServiceProvider);

        var createOrder = Activator<CreateOrder>();
        api.MapPost("/orders", (HttpContext context, CancellationToken ct) =>
            createOrder(context).Run(context.Request, ct));

        var health = Activator<Health>();
        api.MapGet("/health", (HttpContext context, CancellationToken ct) =>
            health(context).Run(context.Request, ct)).AllowAnonymous();

        // The long constraint keeps /API/orders/stats away from {id}, as on the Functions host.
        var getOrder = Activator<GetOrder>();
        api.MapGet("/orders/{id:long}", (HttpContext context, long id, CancellationToken ct) =>
            getOrder(context).Run(context.Request, id, ct));
        var listOrders = Activator<ListOrders>();
        api.MapGet("/orders", (HttpContext context, CancellationToken ct) =>
            listOrders(context).Run(context.Request, ct));
        var orderStats = Activator<OrderStats>();
        api.MapGet("/orders/stats", (HttpContext context, CancellationToken ct) =>
            orderStats(context).Run(context.Request, ct));
        return endpoints;
    }

    private static Func<HttpContext, T> Activator<T>()
    {
        var factory = ActivatorUtilities.CreateFactory<T>(Type.EmptyTypes);
        return context => factory(context.RequestServices, null);
    }

    private static void WarnWhenOpen(IServiceProvider services)
    {
        if (services.GetRequiredService<IOptions<OrderApiOptions>>().Value.Keys.All(string.IsNullOrEmpty))
        {
            LogOpen(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FunctionKeyFilter)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No function key is configured (OrderApi:Keys): the API is open to anyone who can reach it.")]
    private static partial void LogOpen(ILogger logger);
}
