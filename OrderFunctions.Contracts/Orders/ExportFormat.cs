namespace OrderFunctions.Orders;

/// <summary>
/// The file formats of <c>GET /API/orders/export?format=</c>: the media type and file extension of each, and the CSV
/// header (the columns of <see cref="StoredOrder"/>, camelCase as in JSON).
/// </summary>
public static class ExportFormat
{
    public const string Csv = "csv";
    public const string Ndjson = "ndjson";

    /// <summary>Every accepted format.</summary>
    public static readonly IReadOnlyList<string> Names = [Csv, Ndjson];

    /// <summary>RFC 4180's media type with its optional parameters: UTF-8, and a header line present.</summary>
    public const string CsvMediaType = "text/csv; charset=utf-8; header=present";

    public const string NdjsonMediaType = "application/x-ndjson";

    /// <summary>The CSV columns, in order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns = ["id", "timestamp", "username", "market", "side", "size", "price", "clientOrderId"];

    /// <summary>The response header the export sets once, before the first row: the id of the newest order included.</summary>
    public const string SnapshotHeader = "Export-Snapshot-Max-Id";
}
