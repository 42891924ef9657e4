using System.Text.Json;

namespace OrderFunctions.Tests.Support;

/// <summary>Order bodies for the tests: valid JSON an order can be built from, field by field.</summary>
internal static class ApiTestOrders
{
    public static string Json(string username = "alice", string? clientOrderId = null, string market = "BTC-USD",
        string side = "buy", string size = "0.5", string price = "43000.12345678", string timestamp = "2026-11-27T10:15:30.123456Z")
    {
        var id = clientOrderId is null ? "" : $",\"clientOrderId\":{JsonSerializer.Serialize(clientOrderId)}";
        return $"{{\"timestamp\":\"{timestamp}\",\"username\":{JsonSerializer.Serialize(username)},\"market\":{JsonSerializer.Serialize(market)},\"side\":\"{side}\",\"size\":{size},\"price\":{price}{id}}}";
    }

    public static Orders.Order Order(string username = "alice", string? clientOrderId = null, decimal price = 43000.12345678m) =>
        new(new DateTime(2026, 11, 27, 10, 15, 30, DateTimeKind.Utc), username, "BTC-USD", "buy", 0.5m, price, clientOrderId);
}
