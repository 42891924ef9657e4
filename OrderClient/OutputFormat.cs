using System.Globalization;

namespace OrderClient;

/// <summary>How results are printed for people: an order as aligned fields, problems in plain words, tables.</summary>
public static class OutputFormat
{
    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(decimal? value) => value is { } v ? Number(v) : "";

    public static void WriteOrder(TextWriter output, StoredOrder order)
    {
        output.WriteLine($"  id             {order.Id.ToString(CultureInfo.InvariantCulture)}");
        output.WriteLine($"  timestamp      {order.Timestamp}");
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
    public static void WriteFailure<T>(TextWriter error, ApiResult<T> result, string? action = null)
    {
        var prefix = action is null ? "" : action + ": ";
        if (result.Problem is { } problem)
        {
            var status = result.StatusCode is { } code ? $" ({code.ToString(CultureInfo.InvariantCulture)})" : "";
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
            error.WriteLine($"{prefix}{result.UnexpectedAnswer ?? result.TransportError ?? "the request failed"}");
        }
        if (result.UrlHint is { } hint) error.WriteLine(hint);
    }

    /// <summary>A count and its noun, singular for exactly one: "1 order", "0 orders", "1,200 orders".</summary>
    public static string Count(long count, string singular, string? plural = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {(count == 1 ? singular : plural ?? singular + "s")}");

    /// <summary>Columns padded to their widest cell; columns named in <paramref name="rightAligned"/> align right (numbers).</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, ISet<int> rightAligned) =>
        new TableWriter(output, headers, rightAligned).Write([.. rows]);
}
