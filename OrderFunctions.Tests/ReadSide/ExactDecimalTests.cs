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
    [InlineData("100000000000000000000000000005", 1, "10000000000000000000000000001")] // every decimal place dropped
    [InlineData("-5", 1, "-0.5")]
    [InlineData("-79228162514264337593543950336", 16, "-7922816251426.433759354395034")] // rounded away from zero
    public void FromUnits_keeps_every_digit_that_fits_and_rounds_once_beyond(string units, int scale, string expected)
    {
        var value = ExactDecimal.FromUnits(BigInteger.Parse(units), scale);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
        Assert.Equal(expected.Contains('.') ? expected.TrimEnd('0').TrimEnd('.') : expected,
            value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(16)]
    public void FromUnits_gives_a_plain_zero_not_a_negative_one_when_there_are_no_units(int scale)
    {
        // A market with no buys has 0 buy units; decimal keeps a sign on zero, which a caller could see.
        var value = ExactDecimal.FromUnits(BigInteger.Zero, scale);

        Assert.Equal(0m, value);
        Assert.False(decimal.IsNegative(value));
        Assert.Equal([0, 0, 0, 0], decimal.GetBits(value));
    }

    [Fact]
    public void FromUnits_throws_when_the_value_is_beyond_decimal()
    {
        // OrderStats logs the message when a total is out of range.
        var thrown = Assert.Throws<OverflowException>(() => ExactDecimal.FromUnits(BigInteger.Pow(10, 30), 0));
        Assert.Equal("The total is beyond the range of decimal.", thrown.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(29)]
    public void FromUnits_refuses_a_scale_decimal_cannot_have(int scale)
    {
        // 10^29 units: at scale 29 one place dropped would fit, but a scale past 28 is a caller's mistake, not a value.
        Assert.Throws<ArgumentOutOfRangeException>("scale", () => ExactDecimal.FromUnits(BigInteger.Pow(10, 29), scale));
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
