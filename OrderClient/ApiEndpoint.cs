using System.Globalization;
using System.Text;

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
    public const string KeyHeader = "x-functions-key";

    private string Base => OrdersUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');

    public Uri OrderUrl(long id) => new($"{Base}/{id.ToString(CultureInfo.InvariantCulture)}");

    public Uri StatsUrl(IEnumerable<KeyValuePair<string, string?>> query) => WithQuery($"{Base}/stats", query);

    public Uri ListUrl(IEnumerable<KeyValuePair<string, string?>> query) => WithQuery(Base, query);

    private static Uri WithQuery(string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var builder = new StringBuilder(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            if (string.IsNullOrEmpty(value)) continue;
            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }
        return new Uri(builder.ToString());
    }
}
