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
/// <c>POST /API/orders</c>: one order as a JSON object, answered with the stored order and its Location. A JSON array or
/// NDJSON is still accepted here for the clients that already send one (answered as the list); new clients post many
/// orders to <see cref="CreateOrders"/> (<c>POST /API/orders/batch</c>). The work is <see cref="OrderIngestion"/>'s.
/// </summary>
public sealed class CreateOrder(IOrderRepository orders, OrderAccess access, OrderMetrics metrics, RequestBodyBudget bodies,
    PrecedingOrderWaiter preceding, ILogger<CreateOrder> logger)
{
    private readonly OrderIngestion _ingestion = new(orders, access, metrics, bodies, preceding, logger);

    public const string NdjsonContentType = "application/x-ndjson";
    public const string ReplayedHeader = "Idempotent-Replayed";

    // One IResult rather than a Results<...> union: seven outcomes exceed the union's six type arguments.
    [Function(nameof(CreateOrder))]
    [EndpointSummary("Store one order")]
    [EndpointDescription("One order as a JSON object; a 201 means it is on disk. Many orders go to POST /API/orders/batch. (For the clients that " +
        "already send them, this route still takes a JSON array or application/x-ndjson and answers the list, as the batch route does; that form " +
        "is not described here.)")]
    [Tags("Orders")]
    [ProducesResponseType<StoredOrder>(201, "application/json", Description = "Stored: the order with its id; Location names it.")]
    [ProducesResponseType<StoredOrder>(200, "application/json",
        Description = "Idempotent-Replayed: the order was stored before with the same clientOrderId and content; nothing was written.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json",
        Description = "The order breaks a rule, or the body is not JSON: errors names every offending field. Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json",
        Description = "The clientOrderId was used before by this username for a different order: existingId names the stored one. " +
            "Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(412, "application/problem+json",
        Description = "If-Order-Stored named an order that was not stored within OrderStorage:PrecedingOrderWait: username and " +
            "clientOrderId name it. Nothing was written; send the request again once that order is stored.")]
    [ProducesResponseType<ProblemDetails>(413, "application/problem+json", Description = "The body is over 64 KiB. Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(415, "application/problem+json",
        Description = "The body is neither application/json nor application/x-ndjson, or it is compressed " +
            "(a Content-Encoding other than identity). Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store cannot take orders now (queue full, database locked, read-only or full, shutting down): " +
            "retry after Retry-After seconds. Nothing was written.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderRoutes.Orders)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, _ingestion,
            static (request, ingestion, ct) => ingestion.HandleAsync(request, batchOnly: false, ct), logger, cancellationToken);
}
