using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/orders/stats?market=&amp;username=&amp;from=&amp;to=&amp;limit=&amp;after=</c>: count, buy and sell volume,
/// notional, VWAP, min and max price, first and last timestamp per market, computed by the store in one grouped query,
/// a page of markets at a time (<c>limit</c>, default 100, at most 1000); <c>next</c> is passed back as <c>after</c>.
/// </summary>
public sealed partial class OrderStats(IOrderQueries orders, ILogger<OrderStats> logger)
{
    [Function(nameof(OrderStats))]
    [EndpointSummary("Trading statistics per market")]
    [EndpointDescription("Count, buy and sell volume, notional, VWAP (8 places), min and max price, first and last timestamp per market, computed exactly by the store, a page of markets at a time in market order. Pass next back as after for the following markets; next is null on the last page.")]
    [Tags("Orders")]
    [OpenApiQuery("market", "Only this market.")]
    [OpenApiQuery("username", "Only this user's orders.")]
    [OpenApiQuery("from", "Orders at or after this instant (ISO 8601; without an offset, UTC).", Format = "date-time")]
    [OpenApiQuery("to", "Orders before this instant (exclusive).", Format = "date-time")]
    [OpenApiQuery("limit", "Markets per page, 1 to 1000 (default 100).", Type = "integer")]
    [OpenApiQuery("after", "The next cursor of the previous page of markets.")]
    [ProducesResponseType<OrderStatsReport>(200, "application/json", Description = "One entry per market, ordered by market.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json", Description = "A parameter is unknown, repeated, empty or invalid: errors names each one.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json", Description = "The store could not be read now: retry after Retry-After seconds.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Stats)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, this, static (request, function, ct) => function.HandleAsync(request, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (ReadQuery.ParseStats(request.Query, errors) is not { } query) return Problems.Validation(errors);

        try
        {
            return TypedResults.Ok(await Paging.ReadAsync(query.Limit,
                count => orders.StatsAsync(query.Filter, query.AfterMarket, count, cancellationToken),
                market => PageCursor.EncodeMarket(market.Market),
                (page, next) => new OrderStatsReport(page, next)));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex);
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
}
