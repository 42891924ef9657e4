using OrderFunctions.Orders;

namespace OrderFunctions.Tests.Support;

/// <summary>Orders and bodies the tests share.</summary>
public static class TestOrders
{
    public const string ValidJson = """
        {"timestamp":"2026-11-27T10:15:30.123Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678}
        """;

    public static Order Order(string username = "alice", decimal size = 0.1m, decimal price = 43000.12345678m,
        string? clientOrderId = null, string side = "buy", string market = "BTC-USD") =>
        new(new DateTime(2026, 11, 27, 10, 15, 30, 123, DateTimeKind.Utc), username, market, side, size, price, clientOrderId);
}
