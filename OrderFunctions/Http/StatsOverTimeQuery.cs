using System.Globalization;
using Microsoft.AspNetCore.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// The query of statistics over time: <c>interval</c> (1m, 5m, 1h or 1d), the listing's filters (username, market,
/// side, from, to: read by <see cref="ReadQuery"/>, so they mean exactly what they mean there), <c>limit</c> in buckets
/// (1 to <see cref="StatsBucketReport.MaxLimit"/>, default <see cref="StatsBucketReport.DefaultLimit"/>) and <c>after</c>,
/// a <see cref="BucketCursor"/>.
/// </summary>
public sealed record StatsOverTimeQuery(string Interval, TimeSpan Width, OrderFilter Filter, int Limit, BucketKey? After)
{
    public const string IntervalParameter = "interval";

    // Read here; the rest goes to ReadQuery's listing parser, which knows the filters.
    private static readonly string[] Own = ["interval", "limit", "after"];

    public static StatsOverTimeQuery? Parse(IQueryCollection query, ValidationErrors errors)
    {
        string? Single(string name)
        {
            if (!query.TryGetValue(name, out var values)) return null;
            if (values.Count > 1) errors.Add(name, "must be given at most once");
            else if (string.IsNullOrEmpty(values[0])) errors.Add(name, "must not be empty; leave the parameter out for the default");
            else return values[0];
            return null;
        }

        var interval = Single(IntervalParameter);
        var width = TimeSpan.Zero;
        if (interval is not null && !StatsInterval.TryParse(interval, out width))
        {
            errors.Add(IntervalParameter, $"must be one of {string.Join(", ", StatsInterval.Names)}");
        }

        var limit = StatsBucketReport.DefaultLimit;
        if (Single("limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > StatsBucketReport.MaxLimit))
        {
            errors.Add("limit",
                $"must be a whole number from 1 to {StatsBucketReport.MaxLimit} (buckets per page; pass next back as after for more)");
        }

        BucketKey? after = null;
        if (Single("after") is { } cursor && !BucketCursor.TryDecode(cursor, out after))
        {
            errors.Add("after", "must be a cursor returned as next by statistics over time");
        }

        var rest = new QueryCollection(query
            .Where(p => !Own.Contains(p.Key, StringComparer.OrdinalIgnoreCase))
            .ToDictionary(p => p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
        var filter = ReadQuery.ParseList(rest, errors)?.Filter;

        return errors.IsEmpty && interval is not null && filter is not null
            ? new StatsOverTimeQuery(interval, width, filter, limit, after)
            : null;
    }
}
