namespace OrderFunctions.Orders;

/// <summary>
/// The body of <c>GET /API/orders/stats</c>: up to a page of markets, ordered by market; <see cref="Next"/> is passed
/// back as <c>after</c> for the following markets, null on the last page.
/// </summary>
public sealed record OrderStatsReport(IReadOnlyList<MarketStats> Markets, string? Next);
