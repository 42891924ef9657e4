using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Exact sums over the integer units of size and price, registered on a connection as one SQL aggregate function.
/// SQLite's own SUM throws on int64 overflow (ten sizes near the maximum are enough) and size x price in 10^-16
/// units passes int64 at once (SQLite then computes in REAL and drops digits). This sums in Int128, spills into
/// BigInteger when even that overflows, and hands the totals back as text. One function computing all three totals
/// costs one call into .NET per row instead of three.
/// </summary>
internal static class SqliteExactAggregates
{
    /// <summary>
    /// <c>order_totals(is_buy, size, price)</c>: the sums of buy sizes, of sell sizes and of size x price, as the text
    /// of three integers separated by spaces.
    /// </summary>
    public const string OrderTotals = "order_totals";

    // Stryker disable once Boolean : equivalent, isDeterministic only lets SQLite use a function in indexes and CHECKs, which no query here does
    public static void Register(SqliteConnection connection) =>
        connection.CreateAggregate<long, long, long, Totals, string>(
            OrderTotals,
            default,
            static (totals, isBuy, size, price) => totals.Add(isBuy != 0, size, (Int128)size * price),
            static totals => totals.ToString(),
            isDeterministic: true);

    /// <summary>Reads back what <see cref="OrderTotals"/> returns: (buy volume, sell volume, notional) in units.</summary>
    public static (BigInteger Buy, BigInteger Sell, BigInteger Notional) Parse(string text)
    {
        var parts = text.Split(' ');
        return (Integer(parts[0]), Integer(parts[1]), Integer(parts[2]));
    }

    private static BigInteger Integer(string text) => BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // Value types: the provider copies the seed for every group, so a class instance would be shared between groups.
    private readonly record struct Totals(ExactSum Buy, ExactSum Sell, ExactSum Notional)
    {
        public Totals Add(bool isBuy, long size, Int128 notional) => isBuy
            ? this with { Buy = Buy.Add(size), Notional = Notional.Add(notional) }
            : this with { Sell = Sell.Add(size), Notional = Notional.Add(notional) };

        public override string ToString() => $"{Buy} {Sell} {Notional}";
    }

    private readonly record struct ExactSum(Int128 Small, BigInteger Spilled)
    {
        public ExactSum Add(Int128 value)
        {
            var sum = Small + value;
            // Overflow when both operands have the same sign and the result's sign differs.
            // Stryker disable once Conditional,Equality : equivalent, spilling early (always, or also at 0) keeps the sum exact: the test only spares BigInteger additions
            return ((Small ^ sum) & (value ^ sum)) < 0
                ? new ExactSum(value, Spilled + Small)
                : this with { Small = sum };
        }

        public override string ToString() => (Spilled + Small).ToString(CultureInfo.InvariantCulture);
    }
}
