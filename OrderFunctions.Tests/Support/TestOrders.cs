using System.Text.Json;
using OrderFunctions.Orders;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The tests' orders, with one set of defaults: alice buys 0.1 BTC-USD at 43000.12345678 on 2026-11-27 at 10:15:30.123
/// UTC. <see cref="Order"/> builds the model, <see cref="Json"/> the request body, field by field.
/// </summary>
public static class TestOrders
{
    public const string Timestamp = "2026-11-27T10:15:30.123Z";

    /// <summary>The default order as a request body.</summary>
    public static readonly string ValidJson = Json();

    /// <summary>
    /// A body with these fields; each value goes in as written (<paramref name="size"/> and <paramref name="price"/> are
    /// JSON as is, so a test can send <c>"\"43000.1\""</c> or <c>1e-9</c>; the strings are JSON-encoded).
    /// </summary>
    public static string Json(string username = "alice", string? clientOrderId = null, string market = "BTC-USD",
        string side = "buy", string size = "0.1", string price = "43000.12345678", string timestamp = Timestamp)
    {
        var id = clientOrderId is null ? "" : $",\"clientOrderId\":{JsonSerializer.Serialize(clientOrderId)}";
        return $"{{\"timestamp\":{JsonSerializer.Serialize(timestamp)},\"username\":{JsonSerializer.Serialize(username)}," +
            $"\"market\":{JsonSerializer.Serialize(market)},\"side\":{JsonSerializer.Serialize(side)},\"size\":{size},\"price\":{price}{id}}}";
    }

    public static Order Order(string username = "alice", decimal size = 0.1m, decimal price = 43000.12345678m,
        string? clientOrderId = null, string side = "buy", string market = "BTC-USD") =>
        new(new DateTime(2026, 11, 27, 10, 15, 30, 123, DateTimeKind.Utc), username, market, side, size, price, clientOrderId);
}
