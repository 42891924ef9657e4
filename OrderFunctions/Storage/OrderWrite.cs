using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// One request's orders as the write queue hands them to an engine: a single order, or many that land whole or not
/// at all.
/// </summary>
public readonly struct OrderWrite
{
    private OrderWrite(Order? single, IReadOnlyList<Order>? many) => (Single, Many) = (single, many);

    /// <summary>The order of a single-order request; null for a request of many.</summary>
    public Order? Single { get; }

    /// <summary>The orders of a request of many, in input order; null for a single order.</summary>
    public IReadOnlyList<Order>? Many { get; }

    public int Count => Many?.Count ?? 1;

    public static OrderWrite One(Order order) => new(order, null);

    public static OrderWrite All(IReadOnlyList<Order> orders) => new(null, orders);
}
