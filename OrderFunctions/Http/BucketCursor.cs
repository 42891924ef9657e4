using System.Buffers.Text;
using System.Globalization;
using System.Text;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// The opaque cursor of statistics over time: base64url of <c>b:</c>, the last bucket's start in 100 ns ticks and its
/// market (<c>b:638998245000000000:BTC-USD</c>). Its own prefix, so a market or order cursor is refused, and back.
/// </summary>
public static class BucketCursor
{
    private const string Prefix = "b:";

    /// <summary>
    /// The longest cursor <see cref="Encode"/> writes: base64url (4 characters per 3 bytes, unpadded) of the prefix, the
    /// 19 digits of a tick count, the colon and a market of the longest length.
    /// </summary>
    private const int MaxLength = (4 * (2 + PageCursor.LongDigits + 1 + OrderValidator.MaxMarketLength) + 2) / 3;

    public static string Encode(BucketKey key) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes($"{Prefix}{key.Start.Ticks.ToString(CultureInfo.InvariantCulture)}:{key.Market}"));

    /// <summary>True when <paramref name="cursor"/> is exactly what <see cref="Encode"/> writes for some bucket.</summary>
    public static bool TryDecode(string cursor, out BucketKey? key)
    {
        key = null;
        if (cursor.Length is 0 or > MaxLength) return false;
        var text = Encoding.ASCII.GetString(PageCursor.DecodeOrEmpty(cursor));
        if (!text.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var colon = text.IndexOf(':', Prefix.Length);
        if (colon < 0) return false;
        if (!long.TryParse(text.AsSpan(Prefix.Length, colon - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTime.MaxValue.Ticks)
        {
            return false;
        }
        var market = text[(colon + 1)..];
        if (market.Length is 0 or > OrderValidator.MaxMarketLength || !OrderValidator.IsMarketSymbol(market)) return false;
        var decoded = new BucketKey(market, new DateTime(ticks, DateTimeKind.Utc));
        if (Encode(decoded) != cursor) return false;
        key = decoded;
        return true;
    }
}
