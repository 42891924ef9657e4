using System.Numerics;
using OrderFunctions.Orders;

namespace OrderFunctions.Tests.ReadSide;

public sealed class ExactDecimalTests
{
    [Theory]
    [InlineData("1", 8, "0.00000001")]
    [InlineData("430001234567800000000", 16, "43000.123456780")]
    [InlineData("79228162514264337593543950335", 16, "7922816251426.4337593543950335")] // the largest exact mantissa
    [InlineData("79228162514264337593543950336", 16, "7922816251426.433759354395034")] // one more: one place dropped, rounded
    [InlineData("99999999999999999800000000000000001", 16, "9999999999999999980")]           // 35 digits: ...980.0000000000000001
    [InlineData("199999999999999999600000000000000000200", 16, "19999999999999999960000")]  // more than 28 digits
    public void FromUnits_keeps_every_digit_that_fits_and_rounds_once_beyond(string units, int scale, string expected)
    {
        var value = ExactDecimal.FromUnits(BigInteger.Parse(units), scale);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(expected.Contains('.') ? expected.TrimEnd('0').TrimEnd('.') : expected, value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void FromUnits_throws_when_the_value_is_beyond_decimal()
    {
        Assert.Throws<OverflowException>(() => ExactDecimal.FromUnits(BigInteger.Pow(10, 30), 0));
    }

    [Theory]
    [InlineData(5, 2, 3)]   // 2.5 -> 3
    [InlineData(7, 2, 4)]   // 3.5 -> 4
    [InlineData(14, 10, 1)] // 1.4 -> 1
    [InlineData(16, 10, 2)] // 1.6 -> 2
    public void RoundedQuotient_rounds_half_away_from_zero(long dividend, long divisor, long expected)
    {
        Assert.Equal(new BigInteger(expected), ExactDecimal.RoundedQuotient(dividend, divisor));
    }
}
