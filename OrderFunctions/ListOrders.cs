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
/// <c>GET /API/orders?username=&amp;market=&amp;side=&amp;from=&amp;to=&amp;storedBy=&amp;limit=&amp;after=</c>: the orders matching every
/// given filter in ascending id order, a page at a time; <c>next</c> is passed back as <c>after</c>, null on the last page.
/// </summary>
public sealed partial class ListOrders(IOrderQueries orders, OrderAccess access, ILogger<ListOrders> logger)
{
    [Function(nameof(ListOrders))]
    [EndpointSummary("List orders, a page at a time")]
    [EndpointDescription("The orders matching every given filter, in ascending id order. Pass next back as after for the following page; next is " +
        "null on the last page. Paging while orders are written never repeats or skips an order that was there before the first page.")]
    [Tags("Orders")]
    [OpenApiQuery("username", "Only this user's orders.")]
    [OpenApiQuery("market", "Only this market's orders (case matters).")]
    [OpenApiQuery("side", "Only buys or only sells (any case).", Enum = ["buy", "sell"])]
    [OpenApiQuery("from", "Orders at or after this instant (ISO 8601; without an offset, UTC).", Format = "date-time")]
    [OpenApiQuery("to", "Orders before this instant (exclusive).", Format = "date-time")]
    [OpenApiQuery("storedBy", "Only the orders this caller stored (the audit trail's storedBy; exact name).")]
    [OpenApiQuery("limit", "Orders per page, 1 to 1000 (default 100).", Integer = true)]
    [OpenApiQuery("after", "The next cursor of the previous page.")]
    [ProducesResponseType<OrderPage>(200, "application/json", Description = "One page of orders.")]
    [ProducesResponseType<HttpValidationProblemDetails>(400, "application/problem+json",
        Description = "A parameter is unknown, repeated, empty or invalid: errors names each one.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store could not be read now: retry after Retry-After seconds.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = OrderRoutes.Orders)] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, this, static (request, function, ct) => function.HandleAsync(request, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var (caller, refusal) = access.Check(request, write: false);
        if (refusal is not null) return refusal;
        var errors = new ValidationErrors();
        if (ReadQuery.ParseList(request.Query, errors) is not { } query) return Problems.Validation(errors);
        var filter = OrderAccess.Scope(caller, query.Filter, out refusal);
        if (refusal is not null) return refusal;

        try
        {
            var slice = await orders.ListSliceAsync(filter, query.AfterId, query.Limit + 1, cancellationToken);
            return TypedResults.Ok(Page(slice, query.Limit, query.AfterId));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex.Message);
            StoreFailureLog.Stack(logger, ex);
            return Problems.ReadUnavailable(ex);
        }
    }

    // Keyset paging (Paging): one order more than the page says whether there is a next page. When the store held
    // orders back (a commit below them is still in flight on another instance), the page is short but not the last:
    // next moves the cursor up to where the store is settled, never past it, so those orders come on a later page.
    internal static OrderPage Page(OrderSlice slice, int limit, long afterId)
    {
        if (slice.Orders.Count > limit)
        {
            var kept = slice.Orders.Take(limit).ToArray();
            return new OrderPage(kept, PageCursor.Encode(kept[^1].Id));
        }
        var resume = slice.HeldAbove is { } settled ? Math.Max(settled, afterId) : 0;
        return new OrderPage(slice.Orders, resume > 0 ? PageCursor.Encode(resume) : null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orders could not be listed: {Reason}")]
    private partial void LogNotRead(string reason);
}
