using System.Globalization;
using System.Text.Json.Nodes;

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

    /// <summary>One page, or with <paramref name="all"/> every page, following <c>next</c> until it is null.</summary>
    public async Task<int> ListAsync(OrderFilter filter, int? limit, bool all, bool json, CancellationToken cancellationToken)
    {
        var orders = new List<StoredOrder>();
        var items = new JsonArray();
        string? after = null;
        string? next;
        do
        {
            var query = filter.ToQuery().Append(new("limit", limit?.ToString(CultureInfo.InvariantCulture))).Append(new("after", after));
            var result = await api.ListAsync(query, cancellationToken);
            if (result is not { Outcome: ApiOutcome.Success, Value: { } page }) return Fail(result, "List");
            if (json && !all)
            {
                output.WriteLine(result.Json);
                return ExitCodes.Success;
            }
            orders.AddRange(page.Items);
            if (json && JsonNode.Parse(result.Json!)?["items"] is JsonArray pageItems)
            {
                foreach (var item in pageItems.ToList())
                {
                    pageItems.Remove(item);
                    items.Add(item);
                }
            }
            next = page.Next;
            after = next;
        }
        while (all && next is not null);

        if (json)
        {
            output.WriteLine(new JsonObject { ["items"] = items, ["next"] = null }.ToJsonString());
            return ExitCodes.Success;
        }
        OutputFormat.WriteTable(output, OrderHeaders, orders.Select(o => (IReadOnlyList<string>)
        [
            o.Id.ToString(CultureInfo.InvariantCulture), o.Timestamp, o.Username, o.Market, o.Side,
            OutputFormat.Number(o.Size), OutputFormat.Number(o.Price), o.ClientOrderId ?? "",
        ]), OrderNumbers);
        output.WriteLine(next is null
            ? $"{orders.Count.ToString(CultureInfo.InvariantCulture)} orders."
            : $"{orders.Count.ToString(CultureInfo.InvariantCulture)} orders; more follow (--all, or the next page's cursor: {next}).");
        return ExitCodes.Success;
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
        if (result.StatusCode == 404)
        {
            var detail = result.Problem?.Detail is { Length: > 0 } d ? $": {d}" : "";
            error.WriteLine($"{what} not found (404){detail}");
            return ExitCodes.Rejected;
        }
        OutputFormat.WriteFailure(error, result, what);
        return result.ExitCode;
    }
}
