using System.Numerics;

namespace OrderFunctions.Orders;

/// <summary>
/// Trading statistics of one market in one time bucket (<see cref="Start"/> inclusive to <see cref="Start"/> plus the
/// interval, exclusive): the same exact arithmetic as <see cref="MarketStats"/>, plus the first and last price (of the
/// bucket's earliest and latest order by timestamp, ties by id) and the price range.
/// </summary>
public sealed record StatsBucket(
    string Market,
    DateTime Start,
    long Count,
    decimal BuyVolume,
    decimal SellVolume,
    decimal Notional,
    decimal Vwap,
    decimal FirstPrice,
    decimal LastPrice,
    decimal MinPrice,
    decimal MaxPrice)
{
    /// <summary>
    /// The bucket from exact sums as every store computes them, by the same rule as <see cref="MarketStats.FromUnits"/>:
    /// volumes in 10^-8 units, notional in 10^-16 units, VWAP = notional / volume rounded to 10^-8 units.
    /// </summary>
    public static StatsBucket FromUnits(string market, DateTime start, long count, BigInteger buyUnits, BigInteger sellUnits,
        BigInteger notionalUnits, decimal firstPrice, decimal lastPrice, decimal minPrice, decimal maxPrice)
    {
        var totals = MarketStats.FromUnits(market, count, buyUnits, sellUnits, notionalUnits, minPrice, maxPrice, start, start);
        return new StatsBucket(
            market,
            DateTime.SpecifyKind(start, DateTimeKind.Utc),
            count,
            totals.BuyVolume,
            totals.SellVolume,
            totals.Notional,
            totals.Vwap,
            firstPrice,
            lastPrice,
            minPrice,
            maxPrice);
    }
}
