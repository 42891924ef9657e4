using System.Numerics;
using OrderFunctions.Storage.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>PostgreSQL's numeric text read into whole units of 10^-scale, digit for digit.</summary>
public sealed class PostgresNumericTests
{
    [Theory]
    [InlineData("0", 8, "0")]
    [InlineData("12", 8, "1200000000")]
    [InlineData("12.5", 8, "1250000000")]
    [InlineData("-12.00000001", 8, "-1200000001")]
    [InlineData(".5", 8, "50000000")] // no whole digits
    [InlineData("7.", 2, "700")] // no fraction digits after the point
    [InlineData("123456789012345678901234567890.1234567890123456", 16, "1234567890123456789012345678901234567890123456")]
    public void ToUnits_reads_the_text_exactly(string text, int scale, string expected)
    {
        Assert.Equal(BigInteger.Parse(expected), PostgresNumeric.ToUnits(text, scale));
    }

    [Fact]
    public void ToUnits_refuses_more_fraction_digits_than_the_scale_naming_the_text()
    {
        var refused = Assert.Throws<FormatException>(() => PostgresNumeric.ToUnits("1.123456789", 8));

        Assert.Equal("'1.123456789' has more than 8 fraction digits", refused.Message);
    }
}
