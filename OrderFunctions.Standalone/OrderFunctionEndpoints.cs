using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Standalone;

/// <summary>
/// Serves the function classes themselves on plain ASP.NET Core routing, at the routes the Functions host gives them
/// (routePrefix "API" + each function's route). A function is created per request the way the worker creates it
/// (ActivatorUtilities over the request's services), so no logic is copied here.
/// </summary>
public static class OrderFunctionEndpoints
{
    public const string RoutePrefix = "/API";

    public static IEndpointRouteBuilder MapOrderFunctions(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup(RoutePrefix);
        var createOrder = Activator<CreateOrder>();
        api.MapPost("/orders", (HttpContext context, CancellationToken ct) =>
            createOrder(context).Run(context.Request, ct));

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
}
