namespace OrderFunctions.Http;

/// <summary>
/// The orders routes, named once: the functions' <c>[HttpTrigger]</c> routes and the links the API writes (Location)
/// come from here, never from the request's own path (<c>POST /API/orders/</c> must not link to <c>/API/orders//1</c>).
/// </summary>
public static class OrderRoutes
{
    /// <summary>host.json's <c>extensions.http.routePrefix</c>; a metadata test keeps the two equal.</summary>
    public const string Prefix = "API";

    /// <summary>Route of <c>CreateOrder</c> (one order) and <c>ListOrders</c>.</summary>
    public const string Orders = "orders";

    /// <summary>Route of <c>CreateOrders</c>: many orders (a JSON array or NDJSON), stored all or nothing, answered as the list.</summary>
    public const string Batch = Orders + "/batch";

    /// <summary>Route of <c>OrderStats</c>.</summary>
    public const string Stats = Orders + "/stats";

    /// <summary>Route of <c>GetOrder</c>.</summary>
    public const string Order = Orders + "/{id:long}";

    /// <summary>The path of the order with this id, below the app's path base (empty unless the app is mounted lower).</summary>
    public static string OrderPath(string pathBase, long id) =>
        $"{pathBase.TrimEnd('/')}/{Prefix}/{Orders}/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
