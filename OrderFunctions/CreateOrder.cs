using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>POST /API/orders</c>: one order as a JSON object, or many as a JSON array or NDJSON. Only translates HTTP:
/// content type, body, <see cref="OrderJsonReader"/>, <see cref="OrderValidator"/>, the repository, the response.
/// </summary>
public sealed partial class CreateOrder(IOrderRepository orders, ILogger<CreateOrder> logger)
{
    public const string NdjsonContentType = "application/x-ndjson";
    public const string ReplayedHeader = "Idempotent-Replayed";

    // One IResult rather than a Results<...> union: seven outcomes exceed the union's six type arguments.
    [Function(nameof(CreateOrder))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "orders")] HttpRequest request,
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
        var ndjson = IsNdjson(request);
        if (!ndjson && !request.HasJsonContentType()) return Problems.UnsupportedMediaType();

        using var body = await RequestBody.ReadAsync(request, ndjson, cancellationToken);
        if (body.ExceededLimit is { } limit) return Problems.TooLarge(limit);

        var errors = new ValidationErrors();
        var isArray = ndjson;
        var requests = ndjson
            ? OrderJsonReader.ReadNdjson(body.Span, errors)
            : OrderJsonReader.ReadJson(body.Span, errors, out isArray);
        if (requests is null) return Problems.Validation(errors);

        var valid = new List<Order>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is { } posted && OrderValidator.Validate(posted, errors, isArray ? i : -1) is { } order)
            {
                valid.Add(order);
            }
        }
        if (isArray && errors.IsEmpty) CheckRepeatedClientOrderIds(valid, errors); // indexes of valid match the request only when all are valid
        if (!errors.IsEmpty) return Problems.Validation(errors);

        try
        {
            return isArray
                ? ManyStored(await orders.AddManyAsync(valid, cancellationToken))
                : OneStored(request, await orders.AddAsync(valid[0], cancellationToken));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotStored(ex, valid.Count, ex.Message);
            return Problems.Unavailable(ex);
        }
    }

    private static IResult OneStored(HttpRequest request, SaveResult result) => result.Outcome switch
    {
        SaveOutcome.Created => TypedResults.Created($"{request.PathBase}{request.Path}/{result.Order.Id}", result.Order),
        SaveOutcome.Replayed => new WithHeader(TypedResults.Ok(result.Order), ReplayedHeader, "true"),
        _ => Problems.Conflict(ConflictDetail(result.Order), new Dictionary<string, object?> { ["existingId"] = result.Order.Id }),
    };

    private static IResult ManyStored(IReadOnlyList<SaveResult> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome == SaveOutcome.Conflict)
            {
                return Problems.Conflict(
                    $"Order [{i}]: {ConflictDetail(results[i].Order)} Nothing of this request was written.",
                    new Dictionary<string, object?> { ["index"] = i, ["existingId"] = results[i].Order.Id });
            }
        }
        var stored = new StoredOrder[results.Count];
        var allReplayed = true;
        for (var i = 0; i < results.Count; i++)
        {
            stored[i] = results[i].Order;
            allReplayed &= results[i].Outcome == SaveOutcome.Replayed;
        }
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
