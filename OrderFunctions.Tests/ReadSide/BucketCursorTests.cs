using System.Buffers.Text;
using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>The <c>after</c> cursor of statistics over time: what <see cref="BucketCursor.Encode"/> writes comes back, nothing else does.</summary>
public sealed class BucketCursorTests
{
    private static string Cursor(string text) => Base64Url.EncodeToString(Encoding.ASCII.GetBytes(text));

    public static TheoryData<string, long> Keys() => new()
    {
        { "BTC-USD", new DateTime(2026, 12, 6, 16, 35, 0, DateTimeKind.Utc).Ticks },
        { "A", 0 },
        { new string('M', OrderValidator.MaxMarketLength), DateTime.MaxValue.Ticks }, // the longest market, the last tick
    };

    [Theory]
    [MemberData(nameof(Keys))]
    public void TryDecode_returns_the_bucket_when_given_what_Encode_wrote(string market, long ticks)
    {
        var key = new BucketKey(market, new DateTime(ticks, DateTimeKind.Utc));

        Assert.True(BucketCursor.TryDecode(BucketCursor.Encode(key), out var decoded));
        Assert.Equal(key, decoded);
    }

    public static TheoryData<string> Forged() => new()
    {
        "",
        new string('A', 129),                                            // longer than any cursor Encode writes
        "!!not-base64!!",
        Cursor("x:0:BTC-USD"),                                           // another prefix
        Cursor("b:0"),                                                   // no market
        Cursor("b:0:"),                                                  // an empty market
        Cursor("b:-1:BTC-USD"),                                          // a sign
        Cursor("b:abc:BTC-USD"),
        Cursor($"b:{DateTime.MaxValue.Ticks + 1}:BTC-USD"),              // past the last tick DateTime holds
        Cursor($"b:99999999999999999999:BTC-USD"),                       // past long
        Cursor($"b:0:{new string('M', OrderValidator.MaxMarketLength + 1)}"), // a market longer than any stored
        Cursor("b:0:BTC USD"),                                           // not a market symbol
        Cursor("b:00:BTC-USD"),                                          // not what Encode writes for tick 0
        BucketCursor.Encode(new BucketKey("BTC-USD", DateTime.UnixEpoch)) + "=",
    };

    [Theory]
    [MemberData(nameof(Forged))]
    public void TryDecode_returns_false_without_throwing_when_the_cursor_was_not_written_by_Encode(string cursor)
    {
        Assert.False(BucketCursor.TryDecode(cursor, out var key));
        Assert.Null(key);
    }
}
