using System.Globalization;
using System.Numerics;

namespace OrderFunctions.Storage.Postgres;

/// <summary>PostgreSQL numerics read as text (sums may pass what <see cref="decimal"/> holds) into exact integer units.</summary>
internal static class PostgresNumeric
{
    /// <summary>
    /// The value of <paramref name="text"/> in units of 10^-<paramref name="scale"/>; the text has at most that many fraction digits.
    /// </summary>
    public static BigInteger ToUnits(string text, int scale)
    {
        var point = text.IndexOf('.');
        var whole = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        if (fraction.Length > scale) throw new FormatException($"'{text}' has more than {scale} fraction digits");
        return BigInteger.Parse(whole + fraction.PadRight(scale, '0'), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
    }
}
