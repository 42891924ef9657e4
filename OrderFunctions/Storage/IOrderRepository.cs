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
