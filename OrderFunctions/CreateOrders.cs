using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;

namespace OrderFunctions;

/// <summary>
/// <c>POST /API/orders/batch</c>: many orders as a JSON array or NDJSON, stored all or nothing, answered as the list of
/// stored orders in input order. The same reading, rules and storage as <see cref="CreateOrder"/>
/// (<see cref="OrderIngestion"/>); only the shape differs, so a generated client reads a list here and one order there.
/// </summary>
public sealed class CreateOrders(IOrderRepository orders, OrderAccess access, OrderMetrics metrics, RequestBodyBudget bodies,
    PrecedingOrderWaiter preceding, ILogger<CreateOrders> logger)
{
    private readonly OrderIngestion _ingestion = new(orders, access, metrics, bodies, preceding, logger);

    [Function(nameof(CreateOrders))]
    [EndpointSummary("Store a batch of orders, all or nothing")]
    [EndpointDescription("Up to 10,000 orders as a JSON array or as application/x-ndjson (one order object per line). Every order is validated " +
        "first; the batch is stored whole or not at all. A 201 means every order is on disk.")]
    [Tags("Orders")]
    [ProducesResponseType<StoredOrder[]>(201, "application/json",
        Description = "Stored: the orders in input order, each with its id (with Prefer: return=minimal, an OrderBatchReceipt instead).")]
    [ProducesResponseType<StoredOrder[]>(200, "application/json",
        Description = "Idempotent-Replayed: every order was stored before with the same clientOrderId and content; nothing was written.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json",
        Description = "An order breaks a rule, the body is not JSON, or it is not an array: errors names every offending field " +
            "([3].price for the fourth order). Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json",
        Description = "A clientOrderId was used before by this username for a different order: index names the order, existingId the stored one. " +
            "Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(412, "application/problem+json",
        Description = "If-Order-Stored named an order that was not stored within OrderStorage:PrecedingOrderWait: username and " +
            "clientOrderId name it. Nothing was written; send the request again once that order is stored.")]
    [ProducesResponseType<ProblemDetails>(413, "application/problem+json", Description = "The body is over 4 MiB. Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(415, "application/problem+json",
        Description = "The body is neither application/json nor application/x-ndjson, or it is compressed " +
            "(a Content-Encoding other than identity). Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store cannot take orders now (queue full, database locked, read-only or full, shutting down): " +
            "retry after Retry-After seconds. Nothing was written.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderRoutes.Batch)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, _ingestion,
            static (request, ingestion, ct) => ingestion.HandleAsync(request, batchOnly: true, ct), logger, cancellationToken);
}
