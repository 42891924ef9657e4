using System.Numerics;

namespace OrderFunctions.Orders;

/// <summary>
/// Turns exact integer totals (a number of 10^-scale units) into <see cref="decimal"/>, digit for digit while the
/// units fit decimal's 96-bit mantissa (below 7.9e28 units), and rounded once, midpoint away from zero, to the
/// most decimal places that fit beyond that.
/// </summary>
public static class ExactDecimal
{
    private static readonly BigInteger MaxMantissa = (BigInteger.One << 96) - 1;

    /// <summary>The value of <paramref name="units"/> units of 10^-<paramref name="scale"/>, without trailing zeros.</summary>
    /// <exception cref="OverflowException">The value is beyond decimal's range (7.9e28).</exception>
    public static decimal FromUnits(BigInteger units, int scale)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(scale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 28);
        var negative = units.Sign < 0;
        var magnitude = BigInteger.Abs(units);
        // Drop as few decimal places as needed, always rounding from the exact value (no double rounding).
        for (var dropped = 0; dropped <= scale; dropped++)
        {
            var mantissa = dropped == 0 ? magnitude : RoundedQuotient(magnitude, BigInteger.Pow(10, dropped));
            if (mantissa <= MaxMantissa)
            {
                var bits = (UInt128)mantissa;
                var value = new decimal((int)(uint)bits, (int)(uint)(bits >> 32), (int)(uint)(bits >> 64), negative, (byte)(scale - dropped));
                return OrderDecimal.Normalize(value);
            }
        }
        throw new OverflowException("The total is beyond the range of decimal.");
    }

    /// <summary><paramref name="dividend"/> / <paramref name="divisor"/> rounded to an integer, midpoint away from zero; both non-negative.</summary>
    public static BigInteger RoundedQuotient(BigInteger dividend, BigInteger divisor) =>
        BigInteger.Divide(2 * dividend + divisor, 2 * divisor);
}
