using System.Numerics;

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
    DateTime LastTimestamp)
{
    /// <summary>
    /// The statistics from exact sums as every store computes them: volumes in 10^-8 units, notional in 10^-16 units
    /// (size and price are 10^-8 each); VWAP = notional / volume, rounded to 10^-8 units.
    /// </summary>
    public static MarketStats FromUnits(string market, long count, BigInteger buyUnits, BigInteger sellUnits,
        BigInteger notionalUnits, decimal minPrice, decimal maxPrice, DateTime firstTimestamp, DateTime lastTimestamp)
    {
        var vwap = ExactDecimal.RoundedQuotient(notionalUnits, buyUnits + sellUnits);
        return new MarketStats(
            market,
            count,
            ExactDecimal.FromUnits(buyUnits, OrderDecimal.Scale),
            ExactDecimal.FromUnits(sellUnits, OrderDecimal.Scale),
            ExactDecimal.FromUnits(notionalUnits, 2 * OrderDecimal.Scale),
            ExactDecimal.FromUnits(vwap, OrderDecimal.Scale),
            minPrice,
            maxPrice,
            firstTimestamp,
            lastTimestamp);
    }
}
