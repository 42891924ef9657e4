using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OrderFunctions.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Http;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary><c>GET /API/orders/{id}</c>: the stored order, in the shape of the 201 body, or 404.</summary>
public sealed partial class GetOrder(IOrderQueries orders, OrderAccess access, ILogger<GetOrder> logger)
{
    [Function(nameof(GetOrder))]
    [EndpointSummary("Read one order")]
    [EndpointDescription("The stored order, in the shape of the 201 body.")]
    [Tags("Orders")]
    [ProducesResponseType<StoredOrder>(200, "application/json", Description = "The order.")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json", Description = "There is no order with this id.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store could not be read now: retry after Retry-After seconds.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Order)] HttpRequest request,
        long id,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, (Function: this, Id: id),
            static (request, state, ct) => state.Function.HandleAsync(request, state.Id, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, long id, CancellationToken cancellationToken)
    {
        var (caller, refusal) = access.Check(request, write: false);
        if (refusal is not null) return refusal;
        try
        {
            // Another caller's order answers exactly as a missing one: its existence is not the caller's to learn.
            return await orders.FindAsync(id, cancellationToken) is { } order && OrderAccess.MaySee(caller, order)
                ? TypedResults.Ok(order)
                : Problems.NotFound($"There is no order with id {id}.");
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(id, ex.Message);
            StoreFailureLog.Stack(logger, ex);
            return Problems.ReadUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Id} could not be read: {Reason}")]
    private partial void LogNotRead(long id, string reason);
}
