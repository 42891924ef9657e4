using OrderFunctions.Client;
using OrderFunctions.Http;

namespace OrderClient;

/// <summary>
/// Where the API lives and the key to send. Every URL is derived from the orders URL (<c>http://host/API/orders</c>):
/// <c>/API/orders/{id}</c> and <c>/API/orders/stats</c> sit under it, the list is the same URL with a query.
/// </summary>
public sealed record ApiEndpoint(Uri OrdersUrl, string? Key)
{
    public const string DefaultOrdersUrl = "http://localhost:7071/API/orders";
    public const string UrlVariable = "ORDER_API_URL";
    public const string KeyVariable = "ORDER_API_KEY";
    public const string KeyHeader = OrderHeaders.FunctionKey;
    public const string ApiKeyVariable = "ORDER_CALLER_KEY";
    public const string ApiKeyOption = "--api-key";

    /// <summary>The caller's key (OrderAccess:Callers), sent as <c>x-api-key</c>; a secret, never printed.</summary>
    public string? ApiKey { get; init; }

    private string Base => OrdersUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>Whether the URL's path ends in <c>/orders</c>, as every orders URL does (<c>/API/orders</c>, any case).</summary>
    public bool LooksLikeOrdersUrl => OrdersUrl.AbsolutePath.TrimEnd('/').EndsWith("/orders", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The orders URL the user most likely meant: <c>/API/orders</c> in place of the path's <c>api</c> segment and what
    /// follows it (<c>/api/order</c>, <c>/API</c>, <c>/API/orders/1</c>, <c>/API/orders/stats</c>), else on the host
    /// itself (<c>http://host:port</c>, <c>/orders</c>).
    /// </summary>
    public Uri SuggestedOrdersUrl()
    {
        var segments = OrdersUrl.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var api = Array.FindIndex(segments, s => s.Equals("api", StringComparison.OrdinalIgnoreCase));
        var prefix = api > 0 ? string.Concat(segments[..api].Select(s => "/" + s)) : "";
        return new Uri(OrdersUrl.GetLeftPart(UriPartial.Authority) + prefix + "/API/orders");
    }

    /// <summary>What to tell a user whose answer shows that <c>--url</c> does not lead to the orders API.</summary>
    public string UrlHint()
    {
        var suggested = SuggestedOrdersUrl();
        return string.Equals(suggested.AbsolutePath, OrdersUrl.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            ? $"Hint: {OrdersUrl} does not answer like the OrderFunctions orders API; is this the right host and port? (--url or ${UrlVariable})"
            : $"Hint: --url must be the orders URL, such as {suggested} (given: {OrdersUrl}; or set ${UrlVariable}).";
    }

    /// <summary>
    /// The options of the library's <see cref="OrderFunctionsClient"/> and <see cref="OrderSender"/>, whose Endpoint is
    /// the service's base address: the orders URL without its <c>/API/orders</c>. A URL that does not end so is taken as
    /// the base itself; the server then answers 404 for the routes below it, and <see cref="UrlHint"/> says what to use.
    /// </summary>
    public Uri BaseAddress
    {
        get
        {
            var path = OrdersUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
            var suffix = "/" + OrderRoutes.Prefix + "/" + OrderRoutes.Orders;
            return new Uri(path.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? path[..^suffix.Length] : path);
        }
    }

    /// <summary>A URL the library made below <see cref="BaseAddress"/> (<c>/API/orders{rest}</c>), as <c>{OrdersUrl}{rest}</c>.</summary>
    public Uri Map(Uri uri)
    {
        var library = $"{BaseAddress.GetLeftPart(UriPartial.Path).TrimEnd('/')}/{OrderRoutes.Prefix}/{OrderRoutes.Orders}";
        var path = uri.GetLeftPart(UriPartial.Path);
        if (!path.StartsWith(library, StringComparison.OrdinalIgnoreCase)) return uri;
        return new Uri(OrdersUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path[library.Length..] + uri.Query);
    }

    /// <summary>What to tell a user the server answered 401: which key is missing or wrong, and where it goes.</summary>
    public string UnauthorizedHint() => ApiKey is { Length: > 0 }
        ? $"Hint: the server knows no caller with this key ({ApiKeyOption} or ${ApiKeyVariable}); ask for a key from OrderClient keygen."
        : $"Hint: this server has named callers: give your caller key with {ApiKeyOption} or ${ApiKeyVariable} (sent as {OrderHeaders.ApiKey}).";

    /// <summary>For the typed client: one attempt may take as long as the resilience handler's whole budget allows.</summary>
    public OrderFunctionsClientOptions ClientOptions() =>
        new() { Endpoint = BaseAddress, Key = Key, ApiKey = ApiKey, RequestTimeout = TimeSpan.FromMinutes(3) };
}
