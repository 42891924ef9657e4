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
}
