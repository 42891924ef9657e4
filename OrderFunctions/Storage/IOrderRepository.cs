using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>Where validated orders are written. Implementations complete a task only once its orders are durable.</summary>
public interface IOrderRepository
{
    /// <summary>Stores one order, or finds the one already stored under its <see cref="Order.ClientOrderId"/>.</summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot take the order now; nothing was written.</exception>
    Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores every order or none: the results are in input order. When any result is
    /// <see cref="SaveOutcome.Conflict"/>, nothing of the call was written.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot take the orders now; nothing was written.</exception>
    Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default);
}

/// <summary>What became of an order handed to <see cref="IOrderRepository"/>.</summary>
public enum SaveOutcome
{
    /// <summary>Written now.</summary>
    Created,

    /// <summary>Stored before under the same client order id with the same content; nothing written.</summary>
    Replayed,

    /// <summary>Stored before under the same client order id with different content; nothing written.</summary>
    Conflict,
}

/// <summary>An outcome and the stored order it concerns (for a conflict, the order stored first).</summary>
public readonly record struct SaveResult(SaveOutcome Outcome, StoredOrder Order);

/// <summary>The store could not take the write (full queue, locked or read-only file, full disk); retry later.</summary>
public sealed class OrderStoreUnavailableException(string reason, TimeSpan retryAfter, Exception? inner = null)
    : Exception(reason, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
