using System.Globalization;
using System.Numerics;
using Microsoft.Data.Sqlite;

namespace OrderFunctions.Storage;

/// <summary>
/// Exact sums over the integer units of size and price, registered on a connection as SQL aggregate functions.
/// SQLite's own SUM throws on int64 overflow (ten sizes near the maximum are enough) and size x price in 10^-16
/// units passes int64 at once (SQLite then computes in REAL and drops digits); these sum in Int128, spill into
/// BigInteger when even that overflows, and hand the total back as the decimal text of an integer.
/// </summary>
internal static class SqliteExactAggregates
{
    /// <summary><c>exact_sum(x)</c>: the sum of integer <c>x</c>, as the text of an integer.</summary>
    public const string Sum = "exact_sum";

    /// <summary><c>exact_product_sum(a, b)</c>: the sum of <c>a * b</c> over integers, as the text of an integer.</summary>
    public const string ProductSum = "exact_product_sum";

    public static void Register(SqliteConnection connection)
    {
        connection.CreateAggregate<long, ExactSum, string>(
            Sum, default, static (sum, value) => sum.Add(value), static sum => sum.ToString(), isDeterministic: true);
        connection.CreateAggregate<long, long, ExactSum, string>(
            ProductSum, default, static (sum, a, b) => sum.Add((Int128)a * b), static sum => sum.ToString(), isDeterministic: true);
    }

    /// <summary>Reads back what the aggregates return.</summary>
    public static BigInteger Parse(string text) => BigInteger.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    // A value type: the provider copies the seed for every group, so a class instance would be shared between groups.
    private readonly record struct ExactSum(Int128 Small, BigInteger Spilled)
    {
        public ExactSum Add(Int128 value)
        {
            var sum = Small + value;
            // Overflow when both operands have the same sign and the result's sign differs.
            return ((Small ^ sum) & (value ^ sum)) < 0
                ? new ExactSum(value, Spilled + Small)
                : this with { Small = sum };
        }

        public override string ToString() =>
            (Spilled + Small).ToString(CultureInfo.InvariantCulture);
    }
}
