using System.Globalization;
using System.Text;

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

    /// <summary>A failed call in plain words: "title: detail", then one line per field error; or the transport error.</summary>
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
            error.WriteLine($"{prefix}{result.TransportError ?? "the request failed"}");
        }
    }

    /// <summary>Columns padded to their widest cell; columns named in <paramref name="rightAligned"/> align right (numbers).</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, ISet<int> rightAligned)
    {
        var all = rows.ToList();
        var widths = headers.Select(h => h.Length).ToArray();
        foreach (var row in all)
        {
            for (var i = 0; i < widths.Length; i++) widths[i] = Math.Max(widths[i], row[i].Length);
        }
        WriteRow(output, headers, widths, rightAligned);
        WriteRow(output, widths.Select(w => new string('-', w)).ToList(), widths, rightAligned);
        foreach (var row in all) WriteRow(output, row, widths, rightAligned);
    }

    private static void WriteRow(TextWriter output, IReadOnlyList<string> cells, int[] widths, ISet<int> rightAligned)
    {
        var line = new StringBuilder();
        for (var i = 0; i < widths.Length; i++)
        {
            if (i > 0) line.Append("  ");
            line.Append(rightAligned.Contains(i) ? cells[i].PadLeft(widths[i]) : cells[i].PadRight(widths[i]));
        }
        output.WriteLine(line.ToString().TrimEnd());
    }
}
