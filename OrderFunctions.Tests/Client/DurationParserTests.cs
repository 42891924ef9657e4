using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("45", 45_000)]
    [InlineData("2.5", 2_500)]
    public void TryParse_reads_duration_when_written_with_units_or_seconds(string text, int milliseconds)
    {
        Assert.True(DurationParser.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("10x")]
    [InlineData("m")]
    public void TryParse_fails_when_duration_is_not_positive_or_unknown(string text) =>
        Assert.False(DurationParser.TryParse(text, out _));

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(500, "500ms")]
    [InlineData(7_200_000, "2h")]
    [InlineData(3_661_500, "1h1m1s500ms")]
    [InlineData(90_000_000, "25h")]
    public void Format_writes_what_TryParse_reads_back(int milliseconds, string text)
    {
        var duration = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(text, DurationParser.Format(duration));
        Assert.True(DurationParser.TryParse(text, out var back));
        Assert.Equal(duration, back);
    }
}
