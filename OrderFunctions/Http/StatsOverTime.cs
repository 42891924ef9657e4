using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using OrderFunctions.Access;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// What <c>OrderStats</c> answers when the query names an <c>interval</c>: a page of non-empty buckets per market and
/// UTC-aligned time bucket, in market and then time order, with a cursor to the rest (see docs/read-api.md).
/// </summary>
public sealed partial class StatsOverTime(IOrderBucketQueries buckets, ILogger<StatsOverTime> logger)
{
    public static bool IsRequested(HttpRequest request) => request.Query.ContainsKey(StatsOverTimeQuery.IntervalParameter);

    /// <summary>Answers <paramref name="request"/> for <paramref name="caller"/> (already allowed to read; null while the API is open).</summary>
    public async Task<IResult> HandleAsync(HttpRequest request, OrderCaller? caller, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (StatsOverTimeQuery.Parse(request.Query, errors) is not { } query) return Problems.Validation(errors);
        var filter = OrderAccess.Scope(caller, query.Filter, out var refusal);
        if (refusal is not null) return refusal;

        try
        {
            // One more than the page: whether it comes back says if there is a next page.
            var found = await buckets.BucketsAsync(filter, query.Width, query.After, query.Limit + 1, cancellationToken);
            if (found.Count <= query.Limit) return TypedResults.Ok(new StatsBucketReport(query.Interval, found, null));
            var page = found.Take(query.Limit).ToArray();
            return TypedResults.Ok(new StatsBucketReport(query.Interval, page, BucketCursor.Encode(new BucketKey(page[^1].Market, page[^1].Start))));
        }
        catch (OrderStoreUnavailableException ex)
        {
            LogNotRead(ex);
            return Problems.ReadUnavailable(ex);
        }
        catch (OverflowException ex)
        {
            LogNotRead(ex);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Internal Server Error",
                detail: "A total is beyond the range the service can report; narrow the filter.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order statistics over time could not be computed")]
    private partial void LogNotRead(Exception ex);
}
