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
    /// Whether the order <paramref name="clientOrderId"/> of <paramref name="username"/> is stored and visible to a read
    /// (the precondition <c>If-Order-Stored</c>): one lookup in the unique index on (username, clientOrderId). Once true,
    /// true for good: a stored order is never removed.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<bool> IsStoredAsync(string username, string clientOrderId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Up to <paramref name="count"/> orders matching <paramref name="filter"/> whose id is greater than
    /// <paramref name="afterId"/>, in ascending id order (keyset paging: ids only grow).
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="ListAsync"/> for a reader that pages up to the newest orders and tails them: no order is returned
    /// while an order with a smaller id could still become visible (its commit is in flight), since the reader's cursor
    /// would pass it for good; <see cref="OrderSlice.HeldAbove"/> says when orders were held back. A store whose commits
    /// become visible in id order (SQLite: one writer, ids assigned under its write lock) holds nothing back.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
    async Task<OrderSlice> ListSliceAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        new(await ListAsync(filter, afterId, count, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Statistics of the orders matching <paramref name="filter"/>, one entry per market, for up to
    /// <paramref name="count"/> markets whose name sorts after <paramref name="afterMarket"/> (null: from the first),
    /// ordered by market in ordinal (byte) order: market symbols are ASCII, so SQLite's BINARY collation and
    /// PostgreSQL's <c>COLLATE "C"</c> both give it. Bounded so that no answer grows with the number of markets.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count, CancellationToken cancellationToken = default);
}
