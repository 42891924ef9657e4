using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// Reads every order matching a filter, in id order, as one consistent snapshot, without holding the result in memory.
/// </summary>
public interface IOrderExportQueries
{
    /// <summary>
    /// Fixes the snapshot: the orders an export returns are those stored when this returns, none stored later.
    /// Failing here (the store cannot be read) happens before anything is sent.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    Task<IOrderExport> OpenExportAsync(OrderFilter filter, CancellationToken cancellationToken = default);
}

/// <summary>An open export: its snapshot and the rows, read a bounded slice at a time.</summary>
public interface IOrderExport : IAsyncDisposable
{
    /// <summary>The newest id in the snapshot (0 when the store was empty): no order with a greater id is returned.</summary>
    long MaxId { get; }

    /// <summary>The snapshot's orders matching the filter, in ascending id order.</summary>
    /// <exception cref="OrderStoreUnavailableException">The store could not be read part way.</exception>
    IAsyncEnumerable<StoredOrder> ReadAllAsync(CancellationToken cancellationToken = default);
}
