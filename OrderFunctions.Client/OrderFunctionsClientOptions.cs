namespace OrderFunctions.Client;

/// <summary>Where the orders API lives and how to call it (Azure SDK shape: a client and its options).</summary>
public sealed class OrderFunctionsClientOptions
{
    /// <summary>The configuration section <c>AddOrderSender</c> and <c>AddOrderFunctionsClient</c> read by default.</summary>
    public const string SectionName = "OrderFunctions";

    /// <summary>The service's base address, e.g. <c>https://orders.example.net</c> (the <c>/API/...</c> routes are appended).</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:7071");

    /// <summary>The function key, sent as <c>x-functions-key</c>; null for a host without keys. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>The caller's key (<c>x-api-key</c>) when the service has callers (<c>OrderAccess:Callers</c>); never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How long one request may take before it counts as failed (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long <see cref="OrderFunctionsClient.ListAllOrdersAsync"/> (and <c>OrderClient list --all</c>) keeps asking
    /// again for a page the store holds back (<see cref="HeldBackPages"/>) before it returns that page as the last one
    /// (default 30 s; its <c>next</c> resumes the listing).
    /// </summary>
    public TimeSpan HeldBackPatience { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The URL of a route below the endpoint (<c>API/orders</c> becomes <c>{Endpoint}/API/orders</c>).</summary>
    internal Uri RouteUrl(string route, string? query = null)
    {
        var basePath = Endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri($"{basePath}/{Http.OrderRoutes.Prefix}/{route}{query}");
    }
}
