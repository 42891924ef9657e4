using OrderFunctions.Http;

namespace OrderFunctions.Tests.ReadSide;

public sealed class PageCursorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(1234567)]
    [InlineData(long.MaxValue)]
    public void TryDecode_returns_the_id_when_given_what_Encode_wrote(long id)
    {
        var cursor = PageCursor.Encode(id);

        Assert.True(PageCursor.TryDecode(cursor, out var decoded));
        Assert.Equal(id, decoded);
        Assert.DoesNotContain('=', cursor);
    }

    [Theory]
    [InlineData("")]
    [InlineData("MA")]          // "0"
    [InlineData("LTE")]         // "-1"
    [InlineData("MDE")]         // "01": not what Encode writes
    [InlineData("MQ==")]        // padded
    [InlineData("YWJj")]        // "abc"
    [InlineData("OTIyMzM3MjAzNjg1NDc3NTgwOA")] // long.MaxValue + 1
    [InlineData("!!")]
    public void TryDecode_returns_false_when_the_cursor_was_not_written_by_Encode(string cursor)
    {
        Assert.False(PageCursor.TryDecode(cursor, out _));
    }

    [Theory]
    [InlineData("BTC-USD")]
    [InlineData("A")]
    [InlineData("abcdefghij.abcdefghij/abcdefgh:_")]
    public void TryDecodeMarket_returns_the_market_when_given_what_EncodeMarket_wrote(string market)
    {
        var cursor = PageCursor.EncodeMarket(market);

        Assert.True(PageCursor.TryDecodeMarket(cursor, out var decoded));
        Assert.Equal(market, decoded);
        Assert.False(PageCursor.TryDecode(cursor, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MzE3MTc")]     // a listing cursor, "31717"
    [InlineData("bTo")]         // "m:" and no market
    [InlineData("bTotQlRD")]    // "m:-BTC": not a market symbol
    [InlineData("bTpCVEMgVVNE")] // "m:BTC USD"
    [InlineData("bTpCVEM=")]    // padded
    [InlineData("!!")]
    public void TryDecodeMarket_returns_false_when_the_cursor_was_not_written_by_EncodeMarket(string cursor)
    {
        Assert.False(PageCursor.TryDecodeMarket(cursor, out _));
    }
}
