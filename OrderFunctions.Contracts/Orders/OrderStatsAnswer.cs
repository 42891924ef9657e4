namespace OrderFunctions.Orders;

/// <summary>
/// Either body of <c>GET /API/orders/stats</c> in one type (the OpenAPI document gives one schema per status): without
/// <c>interval</c> the server sends an OrderStatsReport (<c>markets</c>, <c>next</c>), with it a StatsBucketReport
/// (<c>interval</c>, <c>buckets</c>, <c>next</c>).
/// </summary>
public sealed record OrderStatsAnswer(
    IReadOnlyList<MarketStats>? Markets = null,
    string? Interval = null,
    IReadOnlyList<StatsBucket>? Buckets = null,
    string? Next = null);
