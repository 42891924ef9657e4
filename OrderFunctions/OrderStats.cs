using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/orders/stats?market=&amp;username=&amp;from=&amp;to=</c>: count, buy and sell volume, notional, VWAP,
/// min and max price, first and last timestamp per market, computed by the store in one grouped query.
/// </summary>
public sealed partial class OrderStats(IOrderQueries orders, ILogger<OrderStats> logger)
{
    [Function(nameof(OrderStats))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders/stats")] HttpRequest request,
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
        var errors = new ValidationErrors();
        if (ReadQuery.Parse(request.Query, ReadQuery.StatsParameters, errors) is not { } query) return Problems.Validation(errors);

        try
        {
            return TypedResults.Ok(new OrderStatsReport(await orders.StatsAsync(query.Filter, cancellationToken)));
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
