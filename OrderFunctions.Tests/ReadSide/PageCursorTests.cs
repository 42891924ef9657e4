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
    public void TryDecodeMarket_returns_false_and_no_market_when_the_cursor_was_not_written_by_EncodeMarket(string cursor)
    {
        Assert.False(PageCursor.TryDecodeMarket(cursor, out var market));
        Assert.Equal("", market);
    }

    [Theory]
    [InlineData(31717L, "MzE3MTc")]
    [InlineData(long.MaxValue, "OTIyMzM3MjAzNjg1NDc3NTgwNw")]   // the longest
    public void TryDecode_reads_a_cursor_an_earlier_server_wrote_when_it_is_passed_back_after_a_deploy(long id, string cursor)
    {
        Assert.Equal(cursor, PageCursor.Encode(id));
        Assert.True(PageCursor.TryDecode(cursor, out var decoded));
        Assert.Equal(id, decoded);
    }

    [Fact]
    public void TryDecodeMarket_reads_a_cursor_an_earlier_server_wrote_when_it_is_passed_back_after_a_deploy()
    {
        Assert.Equal("bTpCVEMtVVNE", PageCursor.EncodeMarket("BTC-USD"));  // "m:BTC-USD"
        Assert.True(PageCursor.TryDecodeMarket("bTpCVEMtVVNE", out var market));
        Assert.Equal("BTC-USD", market);
    }

    [Fact]
    public void Decoders_refuse_a_cursor_when_it_is_one_character_longer_than_the_longest_they_write()
    {
        var longestId = PageCursor.Encode(long.MaxValue);
        var longestMarket = PageCursor.EncodeMarket(new string('M', Orders.OrderValidator.MaxMarketLength));

        Assert.True(PageCursor.TryDecode(longestId, out _));
        Assert.True(PageCursor.TryDecodeMarket(longestMarket, out _));
        Assert.False(PageCursor.TryDecode(longestId + "A", out _));
        Assert.False(PageCursor.TryDecodeMarket(longestMarket + "A", out _));
    }
}
