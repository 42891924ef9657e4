namespace OrderFunctions.Orders;

/// <summary>The two sides an order can take, as stored (lower case).</summary>
public static class OrderSide
{
    public const string Buy = "buy";
    public const string Sell = "sell";

    /// <summary>Maps any casing of "buy" or "sell" to its stored form; null for anything else.</summary>
    public static string? Normalize(string? side) =>
        string.Equals(side, Buy, StringComparison.OrdinalIgnoreCase) ? Buy
        : string.Equals(side, Sell, StringComparison.OrdinalIgnoreCase) ? Sell
        : null;
}
