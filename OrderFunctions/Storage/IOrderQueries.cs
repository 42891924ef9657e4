using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// Reads stored orders back: one by id, a filtered slice in id order, and per-market statistics computed by the store.
/// Free of any database type, so another store can implement it.
/// </summary>
public interface IOrderQueries
{
    /// <summary>The order with this id, or null.</summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> orders matching <paramref name="filter"/> whose id is greater than
    /// <paramref name="afterId"/>, in ascending id order (keyset paging: ids only grow).
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// Statistics of the orders matching <paramref name="filter"/>, one entry per market, for up to
    /// <paramref name="count"/> markets whose name sorts after <paramref name="afterMarket"/> (null: from the first),
    /// ordered by market in ordinal (byte) order: market symbols are ASCII, so SQLite's BINARY collation and
    /// PostgreSQL's <c>COLLATE "C"</c> both give it. Bounded so that no answer grows with the number of markets.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count, CancellationToken cancellationToken = default);
}
