using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Http;

/// <summary>
/// What <see cref="CreateOrder"/> and <see cref="CreateOrders"/> share, written once: content type, body,
/// <see cref="OrderJsonReader"/>, <see cref="OrderValidator"/>, the repository, the response (201 with Location for one
/// order, 201 with the list for many, 200 Idempotent-Replayed, 409 with existingId and index, 400, 413, 415, 503), and the
/// precondition <c>If-Order-Stored</c> (<see cref="PrecedingOrderWaiter"/>: 412 when the order it names is not stored in time).
/// </summary>
public sealed partial class OrderIngestion(IOrderRepository orders, OrderAccess access, OrderMetrics metrics, RequestBodyBudget bodies,
    PrecedingOrderWaiter preceding, ILogger logger)
{
    /// <summary>The error of a lone JSON object posted to the batch route.</summary>
    public const string BatchOnlyMessage = "must be a JSON array of orders (one order goes to POST /API/orders)";

    /// <summary>
    /// Reads, validates and stores the posted orders. <paramref name="batchOnly"/>: the body must be many orders (a JSON
    /// array or NDJSON) and the answer is always the list, so a generated client can tell the two operations apart.
    /// </summary>
    public async Task<IResult> HandleAsync(HttpRequest request, bool batchOnly, CancellationToken cancellationToken)
    {
        var receivedAt = ReceivedAt.Now();
        var (caller, refusal) = access.Check(request, write: true);
        if (refusal is not null) return Rejected(refusal, RejectReason.Forbidden);
        if (CompressedWith(request) is { } encoding) return Rejected(Problems.UnsupportedContentEncoding(encoding), RejectReason.Validation);
        var ndjson = IsNdjson(request);
        if (!ndjson && !request.HasJsonContentType()) return Rejected(Problems.UnsupportedMediaType(), RejectReason.Validation);

        List<Order>? valid;
        bool isArray;
        ValidationErrors errors;
        // The body's pooled buffer goes back at the end of this block, before the orders wait in the write queue: once
        // parsed it is not needed, and 300 queued batches would otherwise hold 300 buffers of up to 4 MB besides.
        using (var body = await RequestBody.ReadAsync(request, ndjson, bodies, cancellationToken))
        {
            if (body.OverBudget is { } busy) return Unavailable(busy, count: null);
            if (body.ExceededLimit is { } limit) return Rejected(Problems.TooLarge(limit), RejectReason.TooLarge);
            valid = ReadValid(body.Span, ndjson, batchOnly, receivedAt, caller?.Name, out isArray, out errors);
        }
        if (valid is null) return Rejected(Problems.Validation(errors), RejectReason.Validation);
        // Before the store is asked anything: a replay under a username the caller may not use learns nothing of the order.
        if (OrderAccess.CheckUsernames(caller, valid, isArray) is { } forbidden) return Rejected(forbidden, RejectReason.Forbidden);
        // Then the precondition, whose lookup is the first question to the store; the request is queued for writing
        // only once the order it names is visible, so its rows commit after that order's.
        if (await AwaitPrecedingOrderAsync(request, caller, valid.Count, cancellationToken) is { } unmet) return unmet;

        try
        {
            return isArray
                ? ManyStored(await orders.AddManyAsync(valid, cancellationToken), minimal: batchOnly && PrefersMinimal(request))
                : OneStored(request, await orders.AddAsync(valid[0], cancellationToken));
        }
        catch (OrderStoreUnavailableException ex)
        {
            return Unavailable(ex, valid.Count);
        }
    }

    // If-Order-Stored: null when absent or when the order it names is stored; else the answer (400, 403, 412, 503).
    private async Task<IResult?> AwaitPrecedingOrderAsync(HttpRequest request, OrderCaller? caller, int orders, CancellationToken cancellationToken)
    {
        if (!request.Headers.TryGetValue(OrderHeaders.IfOrderStored, out var values) || values.Count == 0) return null;
        var errors = new ValidationErrors();
        string username = "", clientOrderId = "";
        if (values.Count > 1) errors.Add(OrderHeaders.IfOrderStored, "must be sent once");
        else if (!PrecedingOrder.TryParse(values[0], out username, out clientOrderId)) errors.Add(OrderHeaders.IfOrderStored, PrecedingOrderMessage);
        else
        {
            if (OrderValidator.CheckUsername(username) is { } usernameError) errors.Add(OrderHeaders.IfOrderStored, $"username {usernameError}");
            if (!OrderValidator.IsClientOrderId(clientOrderId))
            {
                errors.Add(OrderHeaders.IfOrderStored, $"clientOrderId {OrderValidator.ClientOrderIdMessage}");
            }
        }
        if (!errors.IsEmpty) return Rejected(Problems.Validation(errors), RejectReason.Validation);
        if (OrderAccess.CheckPrecedingUsername(caller, username) is { } forbidden) return Rejected(forbidden, RejectReason.Forbidden);

        try
        {
            switch (await preceding.WaitAsync(username, clientOrderId, orders, cancellationToken))
            {
                case PrecedingOrderOutcome.Stored:
                    return null;
                case PrecedingOrderOutcome.NotStored:
                    return Rejected(Problems.PrecedingOrderNotStored(username, clientOrderId), RejectReason.PreconditionFailed);
                case PrecedingOrderOutcome.TooManyWaiting:
                    return Rejected(Problems.Unavailable(new OrderStoreUnavailableException(TooManyWaitingReason, preceding.RetryAfter)),
                        RejectReason.Unavailable);
                default:
                    return Rejected(Problems.Unavailable(new OrderStoreUnavailableException(ShuttingDownReason, preceding.RetryAfter)),
                        RejectReason.Unavailable);
            }
        }
        catch (OrderStoreUnavailableException ex)
        {
            // The lookup is a read: the read path's 503 (its cause is logged where the read failed).
            return Rejected(Problems.ReadUnavailable(ex), RejectReason.Unavailable);
        }
    }

    /// <summary>The error of an <c>If-Order-Stored</c> value that <see cref="PrecedingOrder.TryParse"/> refuses.</summary>
    public const string PrecedingOrderMessage =
        "must be <username>/<clientOrderId>, each part percent-encoded (a '/' inside a part as %2F)";

    private const string ShuttingDownReason = "the service is shutting down";

    private const string TooManyWaitingReason = "too many orders are waiting for the orders they must follow";

    // count: null when the body was not even read.
    private IResult Unavailable(OrderStoreUnavailableException ex, int? count)
    {
        if (count is { } orders) LogNotStored(orders, ex.Message);
        else LogNotRead(ex.Message);
        StoreFailureLog.Stack(logger, ex);
        return Rejected(Problems.Unavailable(ex), RejectReason.Unavailable);
    }

    // The valid orders of the body, or null with the errors: synchronous, so nothing parsed outlives it but the orders.
    private static List<Order>? ReadValid(ReadOnlySpan<byte> body, bool ndjson, bool batchOnly, DateTime receivedAt, string? storedBy,
        out bool isArray, out ValidationErrors errors)
    {
        errors = new ValidationErrors();
        isArray = ndjson;
        var requests = ndjson
            ? OrderJsonReader.ReadNdjson(body, errors)
            : OrderJsonReader.ReadJson(body, errors, out isArray);
        if (requests is null) return null;
        if (batchOnly && !isArray)
        {
            errors.Add("$", BatchOnlyMessage);
            return null;
        }

        var valid = new List<Order>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            if (requests[i] is { } posted && OrderValidator.Validate(posted, errors, isArray ? i : -1, receivedAt, storedBy) is { } order)
            {
                valid.Add(order);
            }
        }
        if (isArray && errors.IsEmpty) CheckRepeatedClientOrderIds(valid, errors); // indexes of valid match the request only when all are valid
        return errors.IsEmpty ? valid : null;
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
                return new WithHeader(TypedResults.Ok(result.Order), CreateOrder.ReplayedHeader, "true");
            default:
                return Rejected(
                    Problems.Conflict(ConflictDetail(result.Order), new Dictionary<string, object?> { ["existingId"] = result.Order.Id }),
                    RejectReason.Conflict);
        }
    }

    private IResult ManyStored(IReadOnlyList<SaveResult> results, bool minimal)
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
        var replayed = 0;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i].Outcome == SaveOutcome.Replayed) replayed++;
        }
        metrics.OrdersStored(results.Count - replayed);
        metrics.OrdersReplayed(replayed);
        var allReplayed = replayed == results.Count;
        if (minimal)
        {
            // Prefer: return=minimal (RFC 7240): the receipt proves the batch was stored whole without the cost of
            // writing, sending and reading every stored order back (about 150 bytes each).
            var receipt = new OrderBatchReceipt(results.Count, results.Count - replayed, replayed, results[0].Order.Id, results[^1].Order.Id);
            IResult answer = allReplayed
                ? new WithHeader(TypedResults.Ok(receipt), CreateOrder.ReplayedHeader, "true")
                : TypedResults.Created((string?)null, receipt);
            return new WithHeader(answer, OrderHeaders.PreferenceApplied, OrderHeaders.ReturnMinimal);
        }
        var stored = new StoredOrder[results.Count];
        for (var i = 0; i < results.Count; i++) stored[i] = results[i].Order;
        return allReplayed
            ? new WithHeader(TypedResults.Ok(stored), CreateOrder.ReplayedHeader, "true")
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

    // Bodies are read as sent: a gzipped order would be "malformed JSON", and one labelled br but sent plain would be
    // stored although the client meant something else. Only identity (or no Content-Encoding) is read.
    private static string? CompressedWith(HttpRequest request)
    {
        foreach (var value in request.Headers.ContentEncoding)
        {
            foreach (var coding in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!coding.Equals("identity", StringComparison.OrdinalIgnoreCase)) return coding;
            }
        }
        return null;
    }

    /// <summary>Whether a Prefer header (RFC 7240: comma-separated, any number of headers) asks for return=minimal.</summary>
    internal static bool PrefersMinimal(HttpRequest request)
    {
        foreach (var value in request.Headers[OrderHeaders.Prefer])
        {
            foreach (var preference in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var token = preference.Split(';', 2)[0].Replace(" ", "", StringComparison.Ordinal);
                if (token.Equals(OrderHeaders.ReturnMinimal, StringComparison.OrdinalIgnoreCase)) return true;
            }
        }
        return false;
    }

    private static bool IsNdjson(HttpRequest request) =>
        request.ContentType is { } type && type.StartsWith(CreateOrder.NdjsonContentType, StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} orders not stored: {Reason}")]
    private partial void LogNotStored(int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request was answered 503 before its body was read: {Reason}")]
    private partial void LogNotRead(string reason);
}
