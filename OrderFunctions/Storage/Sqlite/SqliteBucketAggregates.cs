using System.Globalization;
using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// <c>price_edges(timestamp, id, price)</c>: the price of a group's earliest order and of its latest (by timestamp,
/// ties by id), as the text of two integers (10^-8 units). SQLite's bare columns cannot give both in one grouped query
/// (one row is picked per MIN or MAX, and only when there is exactly one), so this keeps both ends itself.
/// </summary>
internal static class SqliteBucketAggregates
{
    public const string PriceEdges = "price_edges";

    // Stryker disable once Boolean : equivalent, isDeterministic only lets SQLite use a function in indexes and CHECKs, which no query here does
    public static void Register(SqliteConnection connection) =>
        connection.CreateAggregate<string, long, long, Edges, string>(
            PriceEdges,
            default,
            static (edges, timestamp, id, price) => edges.Add(timestamp, id, price),
            static edges => edges.ToString(),
            isDeterministic: true);

    /// <summary>Reads back what <see cref="PriceEdges"/> returns: (first price, last price) in units.</summary>
    public static (long First, long Last) Parse(string text)
    {
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return (long.Parse(text.AsSpan(0, space), CultureInfo.InvariantCulture), long.Parse(text.AsSpan(space + 1), CultureInfo.InvariantCulture));
    }

    // A value type: the provider copies the seed for every group. Timestamps are fixed-width text, so ordinal order is time order.
    private readonly record struct Edges(string? FirstTimestamp, long FirstId, long FirstPrice, string? LastTimestamp, long LastId, long LastPrice)
    {
        public Edges Add(string timestamp, long id, long price)
        {
            var edges = this;
            if (FirstTimestamp is null || Before(timestamp, id, FirstTimestamp, FirstId))
            {
                edges = edges with { FirstTimestamp = timestamp, FirstId = id, FirstPrice = price };
            }
            if (LastTimestamp is null || Before(LastTimestamp, LastId, timestamp, id))
            {
                edges = edges with { LastTimestamp = timestamp, LastId = id, LastPrice = price };
            }
            return edges;
        }

        private static bool Before(string timestamp, long id, string otherTimestamp, long otherId)
        {
            var order = string.CompareOrdinal(timestamp, otherTimestamp);
            return order < 0 || (order == 0 && id < otherId);
        }

        public override string ToString() =>
            FirstPrice.ToString(CultureInfo.InvariantCulture) + " " + LastPrice.ToString(CultureInfo.InvariantCulture);
    }
}
