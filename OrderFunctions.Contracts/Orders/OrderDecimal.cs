namespace OrderFunctions.Orders;

/// <summary>
/// How size and price are kept exact: as whole numbers of 10^-8 (SQLite INTEGER), so SQL compares and sums them
/// as numbers and every accepted value reads back digit for digit.
/// </summary>
public static class OrderDecimal
{
    /// <summary>Digits kept after the decimal point.</summary>
    public const int Scale = 8;

    /// <summary>Digits allowed before the decimal point.</summary>
    public const int IntegerDigits = 10;

    /// <summary>The largest value accepted: 9,999,999,999.99999999.</summary>
    public const decimal MaxValue = 9_999_999_999.99999999m;

    private const decimal UnitsPerOne = 100_000_000m;

    /// <summary>True when <paramref name="value"/> has at most <see cref="Scale"/> significant decimal places.</summary>
    public static bool FitsScale(decimal value) => decimal.Round(value, Scale) == value;

    /// <summary>The value in units of 10^-8; the caller has checked <see cref="FitsScale"/> and <see cref="MaxValue"/>.</summary>
    public static long ToUnits(decimal value) => (long)(value * UnitsPerOne);

    /// <summary>The value of <paramref name="units"/> 10^-8 units, without trailing zeros.</summary>
    public static decimal FromUnits(long units) => Normalize(units / UnitsPerOne);

    /// <summary>The same value written without trailing zeros (1.50 becomes 1.5).</summary>
    public static decimal Normalize(decimal value) => value / 1.000000000000000000000000000000000m;
}
