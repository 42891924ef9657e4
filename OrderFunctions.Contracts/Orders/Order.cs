using System.Text.Json.Serialization;

namespace OrderFunctions.Orders;

/// <summary>
/// A validated order: UTC timestamp, lower-case side, size and price within <see cref="OrderDecimal"/>'s precision; and
/// its audit trail, set by the server: when it accepted the request (<paramref name="ReceivedAt"/>, UTC) and which
/// caller stored it (<paramref name="StoredBy"/>, null while the API is open).
/// </summary>
public sealed record Order(
    DateTime Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    string? ClientOrderId = null,
    DateTime? ReceivedAt = null,
    string? StoredBy = null)
{
    /// <summary>
    /// True when <paramref name="other"/> describes the same order (the idempotency comparison). The audit trail is not
    /// content: a retry arrives later, and may come from another caller allowed to act for the same username.
    /// </summary>
    public bool HasSameContentAs(StoredOrder other) =>
        Timestamp == other.Timestamp
        && Username == other.Username
        && Market == other.Market
        && Side == other.Side
        && Size == other.Size
        && Price == other.Price;
}

/// <summary>
/// An order as stored, with its id: the body of a 201 and of every read. Its audit trail, receivedAt (UTC, 7 fraction
/// digits) and storedBy, is left out when empty: orders stored before the audit trail existed have neither, and orders
/// stored while the API was open have no storedBy.
/// </summary>
public sealed record StoredOrder(
    long Id,
    DateTime Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ClientOrderId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), JsonConverter(typeof(ReceivedAtConverter))]
    DateTime? ReceivedAt = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? StoredBy = null)
{
    public static StoredOrder From(long id, Order order) =>
        new(id, order.Timestamp, order.Username, order.Market, order.Side, order.Size, order.Price, order.ClientOrderId,
            order.ReceivedAt, order.StoredBy);
}
