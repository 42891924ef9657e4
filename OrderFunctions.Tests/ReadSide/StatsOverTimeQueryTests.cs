using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// The parameters of <c>GET /API/orders/stats?interval=</c> as <see cref="StatsOverTimeQuery.Parse"/> reads them: the
/// values it takes, and for each one it refuses, the exact message a client is shown.
/// </summary>
public sealed class StatsOverTimeQueryTests
{
    private static (StatsOverTimeQuery? Query, Dictionary<string, string[]> Errors) Parse(string queryString)
    {
        var errors = new ValidationErrors();
        var query = StatsOverTimeQuery.Parse(new QueryCollection(QueryHelpers.ParseQuery(queryString)), errors);
        return (query, errors.ToDictionary());
    }

    [Fact]
    public void Parse_reads_the_interval_the_filters_the_limit_and_the_cursor()
    {
        var after = new BucketKey("BTC-USD", new DateTime(2026, 12, 6, 16, 0, 0, DateTimeKind.Utc));

        var (query, errors) = Parse($"?interval=1h&market=BTC-USD&username=alice&limit=1&after={BucketCursor.Encode(after)}");

        Assert.Empty(errors);
        Assert.Equal(("1h", TimeSpan.FromHours(1), 1, after), (query!.Interval, query.Width, query.Limit, query.After));
        Assert.Equal(("BTC-USD", "alice"), (query.Filter.Market, query.Filter.Username));
    }

    [Fact]
    public void Parse_takes_the_default_limit_and_no_cursor_when_they_are_left_out()
    {
        var (query, errors) = Parse("?interval=1d");

        Assert.Empty(errors);
        Assert.Equal((StatsBucketReport.DefaultLimit, (BucketKey?)null), (query!.Limit, query.After));
    }

    [Theory]
    [InlineData("?interval=1m&limit=10000", 10_000)]
    [InlineData("?interval=5m&limit=1", 1)]
    public void Parse_takes_a_limit_at_either_end_of_its_range(string queryString, int limit)
    {
        Assert.Equal(limit, Parse(queryString).Query!.Limit);
    }

    [Theory]
    [InlineData("?interval=2h", "interval", "must be one of 1m, 5m, 1h, 1d")]
    [InlineData("?interval=1h&interval=1d", "interval", "must be given at most once")]
    [InlineData("?interval=", "interval", "must not be empty; leave the parameter out for the default")]
    [InlineData("?interval=1h&limit=0", "limit",
        "must be a whole number from 1 to 10000 (buckets per page; pass next back as after for more)")]
    [InlineData("?interval=1h&limit=10001", "limit",
        "must be a whole number from 1 to 10000 (buckets per page; pass next back as after for more)")]
    [InlineData("?interval=1h&limit=-1", "limit",
        "must be a whole number from 1 to 10000 (buckets per page; pass next back as after for more)")]
    [InlineData("?interval=1h&after=bm90LWEtY3Vyc29y", "after", "must be a cursor returned as next by statistics over time")]
    public void Parse_refuses_with_the_parameters_message_when_a_value_is_bad(string queryString, string parameter, string message)
    {
        var (query, errors) = Parse(queryString);

        Assert.Null(query);
        Assert.Equal([parameter], errors.Keys);
        Assert.Equal([message], errors[parameter]);
    }

    [Fact]
    public void Parse_refuses_a_bad_filter_by_the_listings_rules_when_the_interval_is_good()
    {
        var (query, errors) = Parse("?interval=1h&side=hold");

        Assert.Null(query);
        Assert.Equal(["side"], errors.Keys);
    }

    [Fact]
    public void Parse_returns_no_query_without_an_interval_even_when_everything_else_is_good()
    {
        var (query, errors) = Parse("?market=BTC-USD");

        Assert.Null(query);
        Assert.Empty(errors); // without interval this is the per-market statistics, which StatsOverTime is not asked for
    }
}
