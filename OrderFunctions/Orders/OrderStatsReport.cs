namespace OrderFunctions.Orders;

/// <summary>The body of <c>GET /API/orders/stats</c>: one entry per market, ordered by market.</summary>
public sealed record OrderStatsReport(IReadOnlyList<MarketStats> Markets);
