using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using OrderFunctions.Orders;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary><c>GET /API/orders/{id}</c>: the stored order, in the shape of the 201 body, or 404.</summary>
public sealed partial class GetOrder(IOrderQueries orders, ILogger<GetOrder> logger)
{
    [Function(nameof(GetOrder))]
    [EndpointSummary("Read one order")]
    [EndpointDescription("The stored order, in the shape of the 201 body.")]
    [Tags("Orders")]
    [ProducesResponseType<StoredOrder>(200, "application/json", Description = "The order.")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json", Description = "There is no order with this id.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json", Description = "The store could not be read now: retry after Retry-After seconds.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Order)] HttpRequest request,
        long id,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, (Function: this, Id: id),
            static (_, state, ct) => state.Function.HandleAsync(state.Id, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(long id, CancellationToken cancellationToken)
    {
        try
        {
            return await orders.FindAsync(id, cancellationToken) is { } order
                ? TypedResults.Ok(order)
                : Problems.NotFound($"There is no order with id {id}.");
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex, id);
            return Problems.ReadUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {Id} could not be read")]
    private partial void LogNotRead(Exception ex, long id);
}
