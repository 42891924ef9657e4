using System.Globalization;
using OrderFunctions.Client;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>How results are printed for people: an order as aligned fields, problems in plain words, tables.</summary>
public static class OutputFormat
{
    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(decimal? value) => value is { } v ? Number(v) : "";

    /// <summary>ISO 8601 UTC with the fraction digits it needs (<c>2026-11-27T10:15:30.123456Z</c>), as the server writes it.</summary>
    public static string Timestamp(DateTime value) =>
        DateTime.SpecifyKind(value, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public static void WriteOrder(TextWriter output, StoredOrder order)
    {
        output.WriteLine($"  id             {order.Id.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine($"  timestamp      {Timestamp(order.Timestamp)}");
        output.WriteLine($"  username       {order.Username}");
        output.WriteLine($"  market         {order.Market}");
        output.WriteLine($"  side           {order.Side}");
        output.WriteLine($"  size           {Number(order.Size)}");
        output.WriteLine($"  price          {Number(order.Price)}");
        if (order.ClientOrderId is not null) output.WriteLine($"  clientOrderId  {order.ClientOrderId}");
    }

    /// <summary>
    /// A failed call in plain words: "title (status): detail", then one line per field error; or what answered instead
    /// of the API; or the transport error. Then, when the answer shows a wrong URL, the hint naming the orders URL.
    /// </summary>
    public static void WriteFailure<T>(TextWriter error, OrderResponse<T> result, ApiEndpoint endpoint, string? action = null,
        bool notFoundMayBeAnswer = false)
    {
        var prefix = action is null ? "" : action + ": ";
        if (result.Problem is { } problem)
        {
            var status = result.Status > 0 ? $" ({result.Status.ToString(CultureInfo.InvariantCulture)})" : "";
            error.WriteLine(problem.Detail is { Length: > 0 } detail
                ? $"{prefix}{problem.Title}{status}: {detail}"
                : $"{prefix}{problem.Title}{status}");
            foreach (var (field, messages) in problem.Errors)
            {
                foreach (var message in messages) error.WriteLine($"  {field}: {message}");
            }
        }
        else
        {
            error.WriteLine($"{prefix}{result.TransportError ?? "the request failed"}");
        }
        if (IsWrongUrl(result, endpoint, notFoundMayBeAnswer)) error.WriteLine(endpoint.UrlHint());
        if (result.Status == 401 && result.Problem is not null) error.WriteLine(endpoint.UnauthorizedHint());
    }

    /// <summary>
    /// Whether the answer shows that --url does not lead to the orders API: a 2xx of another shape, a 405, or a 404
    /// (except a 404 for an order's id when the URL is the orders URL: then the order is not there).
    /// </summary>
    public static bool IsWrongUrl<T>(OrderResponse<T> result, ApiEndpoint endpoint, bool notFoundMayBeAnswer = false) =>
        result.Status == 405
        || (result.Status == 404 && !(notFoundMayBeAnswer && endpoint.LooksLikeOrdersUrl))
        || (result.Status is >= 200 and < 300 && !result.IsSuccess);

    /// <summary>A count and its noun, singular for exactly one: "1 order", "0 orders", "1,200 orders".</summary>
    public static string Count(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? singular : plural ?? singular + "s")}");

    /// <summary>Columns padded to their widest cell; columns named in <paramref name="rightAligned"/> align right (numbers).</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows,
        ISet<int> rightAligned) =>
        new TableWriter(output, headers, rightAligned).Write([.. rows]);
}
