using System.Globalization;
using System.Text;
using System.Text.Json;
using OrderFunctions.Client;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>How <c>list</c> and <c>stats</c> print: an aligned table, the server's JSON, or CSV.</summary>
public enum QueryFormat
{
    Table,
    Json,
    Csv,
}

/// <summary>
/// <c>get</c>, <c>list</c> and <c>stats</c>: the read side through the library's typed client, as aligned tables or,
/// with --json, the server's JSON as it sent it. The two paged answers (orders, markets) are printed by one pager.
/// </summary>
public sealed class QueryCommands(OrderFunctionsClient api, ApiEndpoint endpoint, TextWriter output, TextWriter error)
{
    private static readonly string[] OrderHeaders = ["id", "timestamp", "username", "market", "side", "size", "price", "clientOrderId"];
    private static readonly HashSet<int> OrderNumbers = [0, 5, 6];

    // Fixed for the whole listing, so page 2 lines up with page 1: ids and numbers as wide as the wire contract allows
    // them (a long; 10 digits, the point and 8 decimals), text columns shortened with '…' past their width (--csv and
    // --json print every value whole).
    private static readonly int[] OrderWidths = [19, 33, 16, 14, 4, 19, 19, 24];
    private static readonly string[] StatsHeaders =
        ["market", "count", "buyVolume", "sellVolume", "notional", "vwap", "minPrice", "maxPrice", "first", "last"];
    private static readonly HashSet<int> StatsNumbers = [1, 2, 3, 4, 5, 6, 7];

    public async Task<int> GetAsync(long id, bool json, CancellationToken cancellationToken)
    {
        var result = await api.GetOrderAsync(id, cancellationToken);
        if (result is not { IsSuccess: true, Value: { } order })
        {
            return Fail(result, $"Order {id.ToString(CultureInfo.InvariantCulture)}", notFoundMayBeAnswer: true);
        }
        if (json) output.WriteLine(Text(result));
        else
        {
            output.WriteLine($"Order {order.Id.ToString(CultureInfo.InvariantCulture)}");
            OutputFormat.WriteOrder(output, order);
        }
        return ExitCodes.Success;
    }

    /// <summary>One page of orders (after <paramref name="after"/> when given), or with <paramref name="all"/> every page.</summary>
    public Task<int> ListAsync(OrderQuery filter, string? after, bool all, QueryFormat format, CancellationToken cancellationToken) =>
        PageAsync(new Pager<OrderPage, StoredOrder>(
            "List", "items", "order", OrderHeaders, OrderNumbers, OrderWidths,
            (cursor, ct) => api.ListOrdersAsync(filter with { After = cursor }, ct),
            page => page.Items, page => page.Next, OrderRow), after, all, format, cancellationToken);

    /// <summary>One page of per-market stats (after <paramref name="after"/> when given), or with <paramref name="all"/> every page.</summary>
    public Task<int> StatsAsync(OrderQuery filter, string? after, bool all, QueryFormat format, CancellationToken cancellationToken) =>
        PageAsync(new Pager<OrderStatsReport, MarketStats>(
            "Stats", "markets", "market", StatsHeaders, StatsNumbers, null,
            (cursor, ct) => api.GetStatsAsync(filter with { After = cursor }, ct),
            page => page.Markets, page => page.Next, StatsRow), after, all, format, cancellationToken);

    private static string Text<T>(OrderResponse<T> result) => Encoding.UTF8.GetString(result.Body.Span);

    /// <summary>How to fetch and print one paged answer: its name, its items' JSON property and noun, its table.</summary>
    private sealed record Pager<TPage, TItem>(
        string What,
        string ItemsProperty,
        string Noun,
        IReadOnlyList<string> Headers,
        ISet<int> Numbers,
        IReadOnlyList<int>? Widths,
        Func<string?, CancellationToken, Task<OrderResponse<TPage>>> Fetch,
        Func<TPage, IReadOnlyList<TItem>> Items,
        Func<TPage, string?> Next,
        Func<TItem, IReadOnlyList<string>> Row);

    /// <summary>
    /// One page (from <paramref name="after"/> when given), or with <paramref name="all"/> every page, following
    /// <c>next</c> until it is null. Each page is printed (and flushed) as it arrives, before the next is requested,
    /// so memory holds one page whatever the number of items. With --json --all the output is one document,
    /// <c>{"items":[...],"next":null}</c>, written item by item; if a later page fails, the document is closed with
    /// <c>next</c> set to the cursor to continue from. Ctrl-C ends it the same way, exit 130.
    /// </summary>
    private async Task<int> PageAsync<TPage, TItem>(Pager<TPage, TItem> pager, string? after, bool all, QueryFormat format,
        CancellationToken cancellationToken)
    {
        var json = format == QueryFormat.Json;
        var csv = format == QueryFormat.Csv;
        var table = format == QueryFormat.Table ? new TableWriter(output, pager.Headers, pager.Numbers, pager.Widths) : null;
        // CSV output is the data alone: the count and the next cursor go to stderr, so a file of it parses as it is.
        var summary = csv ? error : output;
        if (csv) CsvWriter.WriteRow(output, pager.Headers);
        var cursor = after;
        long count = 0;
        var pages = 0;
        var heldBack = 0;
        var heldBackSince = 0L;
        try
        {
            while (true)
            {
                var result = await pager.Fetch(cursor, cancellationToken);
                if (result is not { IsSuccess: true, Value: { } page })
                {
                    var exit = Fail(result, pager.What);
                    if (pages > 0) Stop(pager, json, csv, count, cursor, "failed");
                    return exit;
                }
                // Held back by the store (a commit below the page still in flight): ask again after a pause.
                if (all && HeldBackPages.IsHeldBack(pager.Items(page).Count, pager.Next(page), cursor))
                {
                    if (heldBack == 0) heldBackSince = System.Diagnostics.Stopwatch.GetTimestamp();
                    if (System.Diagnostics.Stopwatch.GetElapsedTime(heldBackSince) < api.Options.HeldBackPatience)
                    {
                        await Task.Delay(HeldBackPages.Delay(heldBack++), cancellationToken);
                        continue;
                    }
                }
                heldBack = 0;
                if (json && !all)
                {
                    output.WriteLine(Text(result));
                    return ExitCodes.Success;
                }
                var items = pager.Items(page);
                if (json) WriteItems(pager.ItemsProperty, result.Body, pages == 0);
                else if (csv) foreach (var item in items) CsvWriter.WriteRow(output, pager.Row(item));
                else table!.Write([.. items.Select(pager.Row)]);
                pages++;
                count += items.Count;
                await output.FlushAsync(cancellationToken);
                var next = pager.Next(page);
                if (!all || next is null)
                {
                    if (json)
                    {
                        output.WriteLine("],\"next\":null}");
                    }
                    else
                    {
                        summary.WriteLine(next is null
                            ? $"{OutputFormat.Count(count, pager.Noun)}."
                            : $"{OutputFormat.Count(count, pager.Noun)}; more follow: the next page is --after {next}, all of them --all.");
                        if (table?.Shortened == true)
                        {
                            output.WriteLine("Values ending in … are shortened to fit their column; --csv or --json prints them whole.");
                        }
                    }
                    return ExitCodes.Success;
                }
                if (next == cursor)
                {
                    // Following the same cursor again would fetch the same page for ever.
                    Stop(pager, json, csv, count, cursor, "stopped");
                    error.WriteLine(items.Count == 0
                        ? $"{pager.What}: the store held back the orders after {cursor} for " +
                          $"{api.Options.HeldBackPatience.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (a commit below them is still " +
                          $"in flight); stopping. Resume with --after {cursor}."
                        : $"{pager.What}: the server answered the cursor {cursor} with the same cursor as next; stopping instead of looping.");
                    return ExitCodes.Unavailable;
                }
                cursor = next;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (pages > 0) Stop(pager, json, csv, count, cursor, "interrupted");
            else error.WriteLine($"{pager.What}: interrupted.");
            return ExitCodes.Interrupted;
        }
    }

    private static IReadOnlyList<string> OrderRow(StoredOrder o) =>
    [
        o.Id.ToString(CultureInfo.InvariantCulture), OutputFormat.Timestamp(o.Timestamp), o.Username, o.Market, o.Side,
        OutputFormat.Number(o.Size), OutputFormat.Number(o.Price), o.ClientOrderId ?? "",
    ];

    private static IReadOnlyList<string> StatsRow(MarketStats m) =>
    [
        m.Market, m.Count.ToString(CultureInfo.InvariantCulture), OutputFormat.Number(m.BuyVolume),
        OutputFormat.Number(m.SellVolume), OutputFormat.Number(m.Notional), OutputFormat.Number(m.Vwap),
        OutputFormat.Number(m.MinPrice), OutputFormat.Number(m.MaxPrice),
        OutputFormat.Timestamp(m.FirstTimestamp), OutputFormat.Timestamp(m.LastTimestamp),
    ];

    /// <summary>The page's items exactly as the server wrote them (every digit), appended to the open array.</summary>
    private void WriteItems(string property, ReadOnlyMemory<byte> pageJson, bool first)
    {
        using var document = JsonDocument.Parse(pageJson);
        if (first) output.Write($"{{\"{property}\":[");
        var separator = !first;
        foreach (var item in document.RootElement.GetProperty(property).EnumerateArray())
        {
            if (separator) output.Write(',');
            output.Write(item.GetRawText());
            separator = true;
        }
    }

    /// <summary>After some pages were printed, the paging ended early: close what was printed and say where to continue.</summary>
    private void Stop<TPage, TItem>(Pager<TPage, TItem> pager, bool json, bool csv, long count, string? cursor, string why)
    {
        if (json) output.WriteLine($"],\"next\":{JsonSerializer.Serialize(cursor)}}}");
        else if (!csv) output.WriteLine($"{OutputFormat.Count(count, pager.Noun)} listed, then it {why}.");
        error.WriteLine($"{pager.What} {why} after {OutputFormat.Count(count, pager.Noun)}; to continue from there: --after {cursor}");
    }

    private int Fail<T>(OrderResponse<T> result, string what, bool notFoundMayBeAnswer = false)
    {
        if (result.Status == 404 && !OutputFormat.IsWrongUrl(result, endpoint, notFoundMayBeAnswer))
        {
            var detail = result.Problem?.Detail is { Length: > 0 } d ? $": {d}" : "";
            error.WriteLine($"{what} not found (404){detail}");
            return ExitCodes.Rejected;
        }
        OutputFormat.WriteFailure(error, result, endpoint, what, notFoundMayBeAnswer);
        return ExitCodes.Of(result);
    }
}
