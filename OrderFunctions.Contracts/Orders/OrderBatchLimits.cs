namespace OrderFunctions.Orders;

/// <summary>What one batch request may carry, named once for the server, its OpenAPI document and its clients.</summary>
public static class OrderBatchLimits
{
    /// <summary>Most orders one request may carry (a JSON array's elements or NDJSON's lines); more is a 400 naming <c>$</c>.</summary>
    public const int MaxOrders = 10_000;
}
