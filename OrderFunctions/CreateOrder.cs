using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;

namespace OrderFunctions;

/// <summary>
/// <c>POST /API/orders</c>: one order as a JSON object, or many as a JSON array or NDJSON. Only translates HTTP:
/// content type, body, <see cref="OrderJsonReader"/>, <see cref="OrderValidator"/>, the repository, the response.
/// </summary>
public sealed partial class CreateOrder(IOrderRepository orders, OrderMetrics metrics, ILogger<CreateOrder> logger)
{
    public const string NdjsonContentType = "application/x-ndjson";
    public const string ReplayedHeader = "Idempotent-Replayed";

    // One IResult rather than a Results<...> union: seven outcomes exceed the union's six type arguments.
    [Function(nameof(CreateOrder))]
    [EndpointSummary("Store one order, or many")]
    [EndpointDescription("One order as a JSON object, many as a JSON array (up to 10,000) or as application/x-ndjson (one object per line). A batch is stored whole or not at all. A 201 means every order is on disk.")]
    [Tags("Orders")]
    [ProducesResponseType<StoredOrder>(201, "application/json", Description = "Stored: the order (or, for a batch, the orders in input order) with its id. Location names a single order.")]
    [ProducesResponseType<StoredOrder>(200, "application/json", Description = "Idempotent-Replayed: every order was stored before with the same clientOrderId and content; nothing was written.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json", Description = "An order breaks a rule, or the body is not JSON: errors names every offending field ([3].price for the fourth element of a batch). Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(409, "application/problem+json", Description = "A clientOrderId was used before by this username for a different order (existingId; index for a batch). Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(413, "application/problem+json", Description = "The body is over 64 KiB for one order, or over 4 MiB for a batch. Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(415, "application/problem+json", Description = "The body is neither application/json nor application/x-ndjson. Nothing was written.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json", Description = "The store cannot take orders now (queue full, database locked, read-only or full, shutting down): retry after Retry-After seconds. Nothing was written.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = OrderRoutes.Orders)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, this, static (request, function, ct) => function.HandleAsync(request, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var ndjson = IsNdjson(request);
        if (!ndjson && !request.HasJsonContentType()) return Rejected(Problems.UnsupportedMediaType(), RejectReason.Validation);

        using var body = await RequestBody.ReadAsync(request, ndjson, cancellationToken);
        if (body.ExceededLimit is { } limit) return Rejected(Problems.TooLarge(limit), RejectReason.TooLarge);

        var errors = new ValidationErrors();
        var isArray = ndjson;
        var requests = ndjson
            ? OrderJsonReader.ReadNdjson(body.Span, errors)
            : OrderJsonReader.ReadJson(body.Span, errors, out isArray);
        if (requests is null) return Rejected(Problems.Validation(errors), RejectReason.Validation);

        var valid = new List<Order>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is { } posted && OrderValidator.Validate(posted, errors, isArray ? i : -1) is { } order)
            {
                valid.Add(order);
            }
        }
        if (isArray && errors.IsEmpty) CheckRepeatedClientOrderIds(valid, errors); // indexes of valid match the request only when all are valid
        if (!errors.IsEmpty) return Rejected(Problems.Validation(errors), RejectReason.Validation);

        try
        {
            return isArray
                ? ManyStored(await orders.AddManyAsync(valid, cancellationToken))
                : OneStored(request, await orders.AddAsync(valid[0], cancellationToken));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotStored(ex, valid.Count, ex.Message);
            return Rejected(Problems.Unavailable(ex), RejectReason.Unavailable);
        }
    }

    private IResult Rejected(IResult problem, RejectReason reason)
    {
        metrics.RequestRejected(reason);
        return problem;
    }

    private IResult OneStored(HttpRequest request, SaveResult result)
    {
        switch (result.Outcome)
        {
            case SaveOutcome.Created:
                metrics.OrdersStored(1);
                return TypedResults.Created(OrderRoutes.OrderPath(request.PathBase.Value ?? "", result.Order.Id), result.Order);
            case SaveOutcome.Replayed:
                metrics.OrdersReplayed(1);
                return new WithHeader(TypedResults.Ok(result.Order), ReplayedHeader, "true");
            default:
                return Rejected(
                    Problems.Conflict(ConflictDetail(result.Order), new Dictionary<string, object?> { ["existingId"] = result.Order.Id }),
                    RejectReason.Conflict);
        }
    }

    private IResult ManyStored(IReadOnlyList<SaveResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome == SaveOutcome.Conflict)
            {
                return Rejected(Problems.Conflict(
                    $"Order [{i}]: {ConflictDetail(results[i].Order)} Nothing of this request was written.",
                    new Dictionary<string, object?> { ["index"] = i, ["existingId"] = results[i].Order.Id }), RejectReason.Conflict);
            }
        }
        var stored = new StoredOrder[results.Count];
        var replayed = 0;
        for (var i = 0; i < results.Count; i++)
        {
            stored[i] = results[i].Order;
            if (results[i].Outcome == SaveOutcome.Replayed) replayed++;
        }
        metrics.OrdersStored(results.Count - replayed);
        metrics.OrdersReplayed(replayed);
        var allReplayed = replayed == results.Count;
        return allReplayed
            ? new WithHeader(TypedResults.Ok(stored), ReplayedHeader, "true")
            : TypedResults.Created((string?)null, stored);
    }

    // One request naming two different orders with the same clientOrderId contradicts itself: the store would answer
    // 409 against a row of this very request that the rollback then removes, so it is refused as invalid instead.
    private static void CheckRepeatedClientOrderIds(List<Order> orders, ValidationErrors errors)
    {
        var first = new Dictionary<(string, string), int>();
        for (var i = 0; i < orders.Count; i++)
        {
            if (orders[i].ClientOrderId is not { } id) continue;
            var key = (orders[i].Username, id);
            if (!first.TryGetValue(key, out var earlier)) first[key] = i;
            else if (orders[earlier] != orders[i]) errors.Add($"[{i}].clientOrderId", $"is also used by [{earlier}] for a different order");
        }
    }

    private static string ConflictDetail(StoredOrder existing) =>
        $"clientOrderId '{existing.ClientOrderId}' was already used by '{existing.Username}' for a different order (id {existing.Id}).";

    private static bool IsNdjson(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(NdjsonContentType, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} orders not stored: {Reason}")]
    private partial void LogNotStored(Exception ex, int count, string reason);
}
