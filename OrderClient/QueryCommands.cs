using System.Globalization;
using System.Text.Json;

namespace OrderClient;

/// <summary>The filters of <c>list</c> and <c>stats</c>, passed to the server as query parameters when given.</summary>
public sealed record OrderFilter(string? Username, string? Market, string? Side, string? From, string? To)
{
    public IEnumerable<KeyValuePair<string, string?>> ToQuery()
    {
        yield return new("username", Username);
        yield return new("market", Market);
        yield return new("side", Side);
        yield return new("from", From);
        yield return new("to", To);
    }
}

/// <summary><c>get</c>, <c>list</c> and <c>stats</c>: the read side, as aligned tables or, with --json, raw JSON.</summary>
public sealed class QueryCommands(OrdersApiClient api, TextWriter output, TextWriter error)
{
    private static readonly string[] OrderHeaders = ["id", "timestamp", "username", "market", "side", "size", "price", "clientOrderId"];
    private static readonly HashSet<int> OrderNumbers = [0, 5, 6];
    private static readonly string[] StatsHeaders =
        ["market", "count", "buyVolume", "sellVolume", "notional", "vwap", "minPrice", "maxPrice", "first", "last"];
    private static readonly HashSet<int> StatsNumbers = [1, 2, 3, 4, 5, 6, 7];

    public async Task<int> GetAsync(long id, bool json, CancellationToken cancellationToken)
    {
        var result = await api.GetAsync(id, cancellationToken);
        if (result is not { Outcome: ApiOutcome.Success, Value: { } order }) return Fail(result, $"Order {id.ToString(CultureInfo.InvariantCulture)}");
        if (json) output.WriteLine(result.Json);
        else
        {
            output.WriteLine($"Order {order.Id.ToString(CultureInfo.InvariantCulture)}");
            OutputFormat.WriteOrder(output, order);
        }
        return ExitCodes.Success;
    }

    /// <summary>
    /// One page (from <paramref name="after"/> when given), or with <paramref name="all"/> every page, following
    /// <c>next</c> until it is null. Each page is printed (and flushed) as it arrives, before the next is requested,
    /// so memory holds one page whatever the number of orders. With --json --all the output is one document,
    /// <c>{"items":[...],"next":null}</c>, written item by item; if a later page fails, the document is closed with
    /// <c>next</c> set to the cursor to continue from.
    /// </summary>
    public async Task<int> ListAsync(OrderFilter filter, int? limit, string? after, bool all, bool json, CancellationToken cancellationToken)
    {
        var table = json ? null : new TableWriter(output, OrderHeaders, OrderNumbers);
        var cursor = after;
        long count = 0;
        var pages = 0;
        try
        {
            while (true)
            {
                var query = filter.ToQuery().Append(new("limit", limit?.ToString(CultureInfo.InvariantCulture))).Append(new("after", cursor));
                var result = await api.ListAsync(query, cancellationToken);
                if (result is not { Outcome: ApiOutcome.Success, Value: { } page })
                {
                    var exit = Fail(result, "List");
                    if (pages > 0) Stop(json, count, cursor, "failed");
                    return exit;
                }
                if (json && !all)
                {
                    output.WriteLine(result.Json);
                    return ExitCodes.Success;
                }
                if (json) WriteItems(result.Json!, pages == 0);
                else table!.Write([.. page.Items.Select(Row)]);
                pages++;
                count += page.Items.Count;
                await output.FlushAsync(cancellationToken);
                if (!all || page.Next is null)
                {
                    if (json)
                    {
                        output.WriteLine("],\"next\":null}");
                    }
                    else
                    {
                        output.WriteLine(page.Next is null
                            ? $"{OutputFormat.Count(count, "order")}."
                            : $"{OutputFormat.Count(count, "order")}; more follow: the next page is --after {page.Next}, all of them --all.");
                    }
                    return ExitCodes.Success;
                }
                if (page.Next == cursor)
                {
                    // Following the same cursor again would fetch the same page for ever.
                    Stop(json, count, cursor, "stopped");
                    error.WriteLine($"List: the server answered the cursor {cursor} with the same cursor as next; stopping instead of looping.");
                    return ExitCodes.Unavailable;
                }
                cursor = page.Next;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (pages > 0) Stop(json, count, cursor, "interrupted");
            else error.WriteLine("List: interrupted.");
            return ExitCodes.Interrupted;
        }
    }

    private static IReadOnlyList<string> Row(StoredOrder o) =>
    [
        o.Id.ToString(CultureInfo.InvariantCulture), o.Timestamp, o.Username, o.Market, o.Side,
        OutputFormat.Number(o.Size), OutputFormat.Number(o.Price), o.ClientOrderId ?? "",
    ];

    /// <summary>The page's items exactly as the server wrote them (every digit), appended to the open items array.</summary>
    private void WriteItems(string pageJson, bool first)
    {
        using var document = JsonDocument.Parse(pageJson);
        if (first) output.Write("{\"items\":[");
        var separator = !first;
        foreach (var item in document.RootElement.GetProperty("items").EnumerateArray())
        {
            if (separator) output.Write(',');
            output.Write(item.GetRawText());
            separator = true;
        }
    }

    /// <summary>After some pages were printed, the paging ended early: close what was printed and say where to continue.</summary>
    private void Stop(bool json, long count, string? cursor, string why)
    {
        if (json) output.WriteLine($"],\"next\":{JsonSerializer.Serialize(cursor)}}}");
        else output.WriteLine($"{OutputFormat.Count(count, "order")} listed, then the list {why}.");
        error.WriteLine($"List {why} after {OutputFormat.Count(count, "order")}; to continue from there: --after {cursor}");
    }

    public async Task<int> StatsAsync(OrderFilter filter, bool json, CancellationToken cancellationToken)
    {
        var result = await api.StatsAsync(filter.ToQuery(), cancellationToken);
        if (result is not { Outcome: ApiOutcome.Success, Value: { } stats }) return Fail(result, "Stats");
        if (json)
        {
            output.WriteLine(result.Json);
            return ExitCodes.Success;
        }
        OutputFormat.WriteTable(output, StatsHeaders, stats.Markets.Select(m => (IReadOnlyList<string>)
        [
            m.Market, m.Count.ToString(CultureInfo.InvariantCulture), OutputFormat.Number(m.BuyVolume),
            OutputFormat.Number(m.SellVolume), OutputFormat.Number(m.Notional), OutputFormat.Number(m.Vwap),
            OutputFormat.Number(m.MinPrice), OutputFormat.Number(m.MaxPrice), m.FirstTimestamp ?? "", m.LastTimestamp ?? "",
        ]), StatsNumbers);
        return ExitCodes.Success;
    }

    private int Fail<T>(ApiResult<T> result, string what)
    {
        if (result is { StatusCode: 404, UrlHint: null })
        {
            var detail = result.Problem?.Detail is { Length: > 0 } d ? $": {d}" : "";
            error.WriteLine($"{what} not found (404){detail}");
            return ExitCodes.Rejected;
        }
        OutputFormat.WriteFailure(error, result, what);
        return result.ExitCode;
    }
}
