using System.Text.Json.Serialization;

namespace OrderFunctions.Orders;

/// <summary>A validated order: UTC timestamp, lower-case side, size and price within <see cref="OrderDecimal"/>'s precision.</summary>
public sealed record Order(
    DateTime Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    string? ClientOrderId = null)
{
    /// <summary>True when <paramref name="other"/> describes the same order (the idempotency comparison).</summary>
    public bool HasSameContentAs(StoredOrder other) =>
        Timestamp == other.Timestamp
        && Username == other.Username
        && Market == other.Market
        && Side == other.Side
        && Size == other.Size
        && Price == other.Price;
}

/// <summary>An order as stored, with its id: the body of a 201 and of every read.</summary>
public sealed record StoredOrder(
    long Id,
    DateTime Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientOrderId = null)
{
    public static StoredOrder From(long id, Order order) =>
        new(id, order.Timestamp, order.Username, order.Market, order.Side, order.Size, order.Price, order.ClientOrderId);
}
