using System.Globalization;
using System.Text;
using OrderFunctions.Orders;

namespace OrderFunctions.Http;

/// <summary>
/// RFC 4180 rows: fields separated by commas, lines ended by CRLF, a field quoted (and its quotes doubled) when it holds
/// a comma, a quote, CR or LF. Decimals are written with their exact digits (invariant culture, no exponent).
/// </summary>
public static class CsvField
{
    public const string LineEnd = "\r\n";

    /// <summary>The header line: <see cref="ExportFormat.CsvColumns"/>.</summary>
    public static string Header { get; } = string.Join(',', ExportFormat.CsvColumns) + LineEnd;

    /// <summary>One order as a CSV line, columns as in <see cref="ExportFormat.CsvColumns"/>.</summary>
    public static void AppendRow(StringBuilder line, StoredOrder order)
    {
        line.Append(order.Id.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(order.Timestamp.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)).Append(',');
        Append(line, order.Username).Append(',');
        Append(line, order.Market).Append(',')
            .Append(order.Side).Append(',')
            .Append(order.Size.ToString(CultureInfo.InvariantCulture)).Append(',')
            .Append(order.Price.ToString(CultureInfo.InvariantCulture)).Append(',');
        if (order.ClientOrderId is { } clientOrderId) Append(line, clientOrderId);
        line.Append(LineEnd);
    }

    /// <summary>Appends <paramref name="value"/>, quoted when RFC 4180 requires it.</summary>
    public static StringBuilder Append(StringBuilder line, string value)
    {
        if (value.AsSpan().IndexOfAny(",\"\r\n") < 0) return line.Append(value);
        return line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
