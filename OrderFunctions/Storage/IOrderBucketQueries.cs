using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// Statistics over time: per market and UTC-aligned time bucket, computed by the store. Kept apart from
/// <see cref="IOrderQueries"/> so that a store adds it on its own.
/// </summary>
public interface IOrderBucketQueries
{
    /// <summary>
    /// Up to <paramref name="count"/> non-empty buckets of <paramref name="width"/> (one of <see cref="StatsInterval"/>'s)
    /// over the orders matching <paramref name="filter"/>, ordered by market (ordinal) and then by start, beginning after
    /// <paramref name="after"/> (null: from the first). The arithmetic is <see cref="StatsBucket.FromUnits"/>'s.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IReadOnlyList<StatsBucket>> BucketsAsync(OrderFilter filter, TimeSpan width, BucketKey? after, int count,
        CancellationToken cancellationToken = default);
}

/// <summary>Where a page of buckets ends: its last bucket's market and start.</summary>
public sealed record BucketKey(string Market, DateTime Start);
