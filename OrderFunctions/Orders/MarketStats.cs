namespace OrderFunctions.Orders;

/// <summary>
/// Trading statistics of one market: volumes are sums of size, notional the sum of size x price, VWAP the notional
/// over the total volume rounded to 8 decimal places (midpoint away from zero). All exact decimals.
/// </summary>
public sealed record MarketStats(
    string Market,
    long Count,
    decimal BuyVolume,
    decimal SellVolume,
    decimal Notional,
    decimal Vwap,
    decimal MinPrice,
    decimal MaxPrice,
    DateTime FirstTimestamp,
    DateTime LastTimestamp);
