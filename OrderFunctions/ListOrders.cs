using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/orders?username=&amp;market=&amp;side=&amp;from=&amp;to=&amp;limit=&amp;after=</c>: the orders matching every
/// given filter in ascending id order, a page at a time; <c>next</c> is passed back as <c>after</c>, null on the last page.
/// </summary>
public sealed partial class ListOrders(IOrderQueries orders, ILogger<ListOrders> logger)
{
    [Function(nameof(ListOrders))]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "orders")] HttpRequest request,
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
        if (ReadQuery.Parse(request.Query, ReadQuery.ListParameters, errors) is not { } query) return Problems.Validation(errors);

        try
        {
            // One more than the page: whether it comes back says if there is a next page, without a COUNT.
            var found = await orders.ListAsync(query.Filter, query.AfterId, query.Limit + 1, cancellationToken);
            if (found.Count <= query.Limit) return TypedResults.Ok(new OrderPage(found, null));
            var page = found.Take(query.Limit).ToArray();
            return TypedResults.Ok(new OrderPage(page, PageCursor.Encode(page[^1].Id)));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex);
            return Problems.ReadUnavailable(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Orders could not be listed")]
    private partial void LogNotRead(Exception ex);
}
