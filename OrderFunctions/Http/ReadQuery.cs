using Microsoft.AspNetCore.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Http;

/// <summary>
/// The query string of a listing or statistics request, checked as a whole: the filter, page size and cursor, or an
/// error for each bad parameter (unknown or repeated name, empty value, unknown side, bad limit, timestamp or cursor).
/// </summary>
public sealed record ReadQuery(OrderFilter Filter, int Limit, long AfterId, string? AfterMarket = null)
{
    /// <summary>Orders per listing page, or markets per statistics page, when <c>limit</c> is not given.</summary>
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>Parameters of <c>GET /API/orders</c>.</summary>
    public static readonly string[] ListParameters = ["username", "market", "side", "from", "to", "storedBy", "limit", "after"];

    /// <summary>Parameters of <c>GET /API/orders/stats</c>: <c>limit</c> counts markets, <c>after</c> is a market cursor.</summary>
    public static readonly string[] StatsParameters = ["market", "username", "from", "to", "limit", "after"];

    /// <summary>The query of a listing: <c>after</c> is an order cursor.</summary>
    public static ReadQuery? ParseList(IQueryCollection query, ValidationErrors errors) => Parse(query, ListParameters, errors, marketCursor: false);

    /// <summary>The query of statistics: <c>after</c> is a market cursor.</summary>
    public static ReadQuery? ParseStats(IQueryCollection query, ValidationErrors errors) => Parse(query, StatsParameters, errors, marketCursor: true);

    // Azure Functions accepts the function key as ?code=...; it belongs to the host, not to the query.
    private const string FunctionKeyParameter = "code";

    // Reads the parameters named in allowed; null when any error was added.
    private static ReadQuery? Parse(IQueryCollection query, IReadOnlyCollection<string> allowed, ValidationErrors errors, bool marketCursor)
    {
        string? Single(string name)
        {
            if (!query.TryGetValue(name, out var values)) return null;
            if (values.Count > 1)
            {
                errors.Add(name, "must be given at most once");
                return null;
            }
            if (string.IsNullOrEmpty(values[0]))
            {
                errors.Add(name, "must not be empty; leave the parameter out to match any value");
                return null;
            }
            return values[0];
        }

        foreach (var key in query.Keys)
        {
            if (!allowed.Contains(key, StringComparer.OrdinalIgnoreCase)
                && !string.Equals(key, FunctionKeyParameter, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(key, $"is not a known parameter; known: {string.Join(", ", allowed)}");
            }
        }

        var username = Single("username");
        if (username is { Length: > OrderValidator.MaxUsernameLength })
        {
            errors.Add("username", $"must be at most {OrderValidator.MaxUsernameLength} characters");
        }

        var market = Single("market");
        if (market is { Length: > OrderValidator.MaxMarketLength })
        {
            errors.Add("market", $"must be at most {OrderValidator.MaxMarketLength} characters");
        }

        string? side = null;
        if (allowed.Contains("side") && Single("side") is { } sideText)
        {
            side = OrderSide.Normalize(sideText);
            if (side is null) errors.Add("side", OrderValidator.SideMessage);
        }

        string? storedBy = null;
        if (allowed.Contains("storedBy") && Single("storedBy") is { } storedByText)
        {
            storedBy = storedByText;
            if (storedBy.Length > OrderValidator.MaxUsernameLength)
            {
                errors.Add("storedBy", $"must be at most {OrderValidator.MaxUsernameLength} characters");
            }
        }

        var from = Timestamp(Single("from"), "from", errors);
        var to = Timestamp(Single("to"), "to", errors);
        if (from > to) errors.Add("to", "must not be earlier than from (from is inclusive, to exclusive)");

        var limit = DefaultLimit;
        if (allowed.Contains("limit") && Single("limit") is { } limitText
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit)
                || limit is < 1 or > MaxLimit))
        {
            errors.Add("limit", $"must be a whole number from 1 to {MaxLimit}");
        }

        long afterId = 0;
        string? afterMarket = null;
        if (allowed.Contains("after") && Single("after") is { } cursor
            && !(marketCursor ? PageCursor.TryDecodeMarket(cursor, out afterMarket) : PageCursor.TryDecode(cursor, out afterId)))
        {
            errors.Add("after", "must be a cursor returned as next by this API");
        }

        return errors.IsEmpty ? new ReadQuery(new OrderFilter(username, market, side, from, to, storedBy), limit, afterId, afterMarket) : null;
    }

    private static DateTime? Timestamp(string? text, string name, ValidationErrors errors)
    {
        if (text is null) return null;
        if (OrderValidator.TryParseTimestamp(text, out var utc)) return utc;
        errors.Add(name, OrderValidator.TimestampMessage + " (in a URL, write + as %2B)");
        return null;
    }
}
