using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/orders/export?format=csv|ndjson&amp;username=&amp;market=&amp;side=&amp;from=&amp;to=</c>: every order matching the
/// listing's filters, in id order, as one file streamed while it is read (RFC 4180 CSV with a header, or NDJSON of the
/// listing's order objects), from one snapshot: orders stored while it runs are all left out.
/// </summary>
public sealed partial class ExportOrders(IOrderExportQueries exports, OrderAccess access, ILogger<ExportOrders> logger)
{
    private const string FormatParameter = "format";

    [Function(nameof(ExportOrders))]
    [EndpointSummary("Export orders as a CSV or NDJSON file")]
    [EndpointDescription("Every order matching the filters, in ascending id order, streamed as it is read (constant memory on the server), as RFC " +
        "4180 CSV with a header line (id,timestamp,username,market,side,size,price,clientOrderId) or as NDJSON (one order object per line, the " +
        "listing's shape). Decimals keep their exact digits. The file is one snapshot: orders stored while the export runs are all left out; the " +
        "Export-Snapshot-Max-Id header names the newest id included. Content-Disposition offers a file name.")]
    [Tags("Orders")]
    [OpenApiQuery("format", "csv (default) or ndjson.", Enum = ["csv", "ndjson"])]
    [OpenApiQuery("username", "Only this user's orders.")]
    [OpenApiQuery("market", "Only this market's orders (case matters).")]
    [OpenApiQuery("side", "Only buys or only sells (any case).", Enum = ["buy", "sell"])]
    [OpenApiQuery("from", "Orders at or after this instant (ISO 8601; without an offset, UTC).", Format = "date-time")]
    [OpenApiQuery("to", "Orders before this instant (exclusive).", Format = "date-time")]
    [OpenApiQuery("storedBy", "Only the orders this caller stored (the audit trail's storedBy; exact name).")]
    [ProducesResponseType<string>(200, ExportFormat.CsvMediaType, ExportFormat.NdjsonMediaType,
        Description = "The orders as an attachment: RFC 4180 CSV (UTF-8, CRLF, a header line), or NDJSON (one StoredOrder object per line).")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json",
        Description = "A parameter is unknown, repeated, empty or invalid: errors names each one.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store could not be read now: retry after Retry-After seconds. Nothing was sent.")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Export)] HttpRequest request,
        CancellationToken cancellationToken)
    {
        try
        {
            return await HandleAsync(request, cancellationToken);
        }
        catch (Exception ex)
        {
            return UnexpectedFailure.Handle(logger, request, ex, cancellationToken);
        }
    }

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (caller, refusal) = access.Check(request, write: false);
        if (refusal is not null) return refusal;
        var errors = new ValidationErrors();
        var format = ExportFormat.Csv;
        if (request.Query.TryGetValue(FormatParameter, out var formats))
        {
            if (formats.Count != 1 || !ExportFormat.Names.Contains(formats[0]))
            {
                errors.Add(FormatParameter, $"must be given once, as one of {string.Join(", ", ExportFormat.Names)}");
            }
            else
            {
                format = formats[0]!;
            }
        }
        foreach (var paging in new[] { "limit", "after" })
        {
            if (request.Query.ContainsKey(paging))
            {
                errors.Add(paging, "is not a parameter of the export, which returns every matching order in one file");
            }
        }
        var filters = new QueryCollection(request.Query
            .Where(p => !p.Key.Equals(FormatParameter, StringComparison.OrdinalIgnoreCase)
                && !p.Key.Equals("limit", StringComparison.OrdinalIgnoreCase)
                && !p.Key.Equals("after", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
        var query = ReadQuery.ParseList(filters, errors);
        if (!errors.IsEmpty || query is null) return Problems.Validation(errors);
        var filter = OrderAccess.Scope(caller, query.Filter, out refusal);
        if (refusal is not null) return refusal;

        try
        {
            var export = await exports.OpenExportAsync(filter, cancellationToken);
            return new OrderExportResult(export, format, DateTime.UtcNow, logger);
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex);
            return Problems.ReadUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orders could not be exported")]
    private partial void LogNotRead(Exception ex);
}
