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
/// <c>GET /API/orders/stats?market=&amp;username=&amp;from=&amp;to=&amp;limit=&amp;after=</c>: count, buy and sell volume,
/// notional, VWAP, min and max price, first and last timestamp per market, computed by the store in one grouped query,
/// a page of markets at a time (<c>limit</c>, default 100, at most 1000); <c>next</c> is passed back as <c>after</c>.
/// </summary>
public sealed partial class OrderStats(IOrderQueries orders, StatsOverTime overTime, OrderAccess access, ILogger<OrderStats> logger)
{
    [Function(nameof(OrderStats))]
    [EndpointSummary("Trading statistics per market")]
    [EndpointDescription("Count, buy and sell volume, notional, VWAP (8 places), min and max price, first and last timestamp per market, computed " +
        "exactly by the store, a page of markets at a time in market order. Pass next back as after for the following markets; next is null on the " +
        "last page. With interval=1m|5m|1h|1d: the same totals plus first and last price per market and UTC-aligned time bucket, empty buckets " +
        "left out, ordered by market and then start, a page of buckets at a time (a StatsBucketReport).")]
    [Tags("Orders")]
    [OpenApiQuery("market", "Only this market.")]
    [OpenApiQuery("username", "Only this user's orders.")]
    [OpenApiQuery("from", "Orders at or after this instant (ISO 8601; without an offset, UTC).", Format = "date-time")]
    [OpenApiQuery("to", "Orders before this instant (exclusive).", Format = "date-time")]
    [OpenApiQuery("limit", "Markets per page, 1 to 1000 (default 100); with interval, buckets per page, 1 to 10000 (default 1440).",
        Integer = true)]
    [OpenApiQuery("after", "The next cursor of the previous page of markets (with interval: of buckets).")]
    [OpenApiQuery("interval", "Statistics over time: one entry per market and UTC-aligned bucket of this width (the body is then a " +
        "StatsBucketReport).", Enum = ["1m", "5m", "1h", "1d"])]
    [OpenApiQuery("side", "With interval only: only buys or only sells (any case).", Enum = ["buy", "sell"])]
    [OpenApiQuery("storedBy", "With interval only: only the orders this caller stored (the audit trail's storedBy).")]
    [ProducesResponseType<OrderStatsAnswer>(200, "application/json",
        Description = "Without interval: an OrderStatsReport, one entry per market, ordered by market. With interval: a StatsBucketReport, one " +
            "entry per market and non-empty bucket, ordered by market and then start.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json",
        Description = "A parameter is unknown, repeated, empty or invalid: errors names each one.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store could not be read now: retry after Retry-After seconds.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Stats)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, this, static (request, function, ct) => function.HandleAsync(request, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (caller, refusal) = access.Check(request, write: false);
        if (refusal is not null) return refusal;
        if (StatsOverTime.IsRequested(request)) return await overTime.HandleAsync(request, caller, cancellationToken);

        var errors = new ValidationErrors();
        if (ReadQuery.ParseStats(request.Query, errors) is not { } query) return Problems.Validation(errors);
        var filter = OrderAccess.Scope(caller, query.Filter, out refusal);
        if (refusal is not null) return refusal;

        try
        {
            return TypedResults.Ok(await Paging.ReadAsync(query.Limit,
                count => orders.StatsAsync(filter, query.AfterMarket, count, cancellationToken),
                market => PageCursor.EncodeMarket(market.Market),
                (page, next) => new OrderStatsReport(page, next)));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogUnavailable(ex.Message);
            StoreFailureLog.Stack(logger, ex);
            return Problems.ReadUnavailable(ex);
        }
        catch (OverflowException ex)
        {
            // Only past decimal's range (a notional beyond 7.9e28): see docs/read-api.md.
            LogNotRead(ex);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Internal Server Error",
                detail: "A total is beyond the range the service can report; narrow the filter.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order statistics could not be computed")]
    private partial void LogNotRead(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order statistics could not be computed: {Reason}")]
    private partial void LogUnavailable(string reason);
}
