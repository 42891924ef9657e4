using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace OrderFunctions.Http;

/// <summary>
/// The opaque <c>next</c>/<c>after</c> cursors: of a listing, base64url of the last id returned; of statistics,
/// base64url of <c>m:</c> and the last market returned. Opaque so that clients pass them back unchanged and the paging
/// key can change without breaking them; the prefix keeps one kind from being taken for the other.
/// </summary>
public static class PageCursor
{
    private const string MarketPrefix = "m:";

    /// <summary>
    /// The longest cursor <see cref="EncodeMarket"/> writes: base64url (4 characters per 3 bytes, unpadded) of the prefix
    /// and a market of the longest length.
    /// </summary>
    private const int MaxMarketCursorLength = (4 * (2 + Orders.OrderValidator.MaxMarketLength) + 2) / 3;

    /// <summary>The digits of <see cref="long.MaxValue"/>, the longest id or tick count a cursor holds.</summary>
    internal const int LongDigits = 19;

    /// <summary>The longest cursor <see cref="Encode"/> writes: the digits of <see cref="long.MaxValue"/>.</summary>
    private const int MaxIdCursorLength = (4 * LongDigits + 2) / 3;

    public static string EncodeMarket(string lastMarket) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(MarketPrefix + lastMarket));

    /// <summary>True when <paramref name="cursor"/> is exactly what <see cref="EncodeMarket"/> writes for some market symbol.</summary>
    public static bool TryDecodeMarket(string cursor, out string lastMarket)
    {
        lastMarket = "";
        if (cursor.Length is 0 or > MaxMarketCursorLength) return false;
        // A byte past ASCII decodes to '?', which no market symbol holds and which would not encode back to it either.
        var text = Encoding.ASCII.GetString(DecodeOrEmpty(cursor));
        if (!text.StartsWith(MarketPrefix, StringComparison.Ordinal)) return false;
        var market = text[MarketPrefix.Length..];
        if (market.Length is 0 or > Orders.OrderValidator.MaxMarketLength || !Orders.OrderValidator.IsMarketSymbol(market)) return false;
        if (EncodeMarket(market) != cursor) return false;
        lastMarket = market;
        return true;
    }

    /// <summary>The cursor's bytes; none when it is not base64url, which no prefix or number check lets through.</summary>
    internal static byte[] DecodeOrEmpty(string cursor)
    {
        try
        {
            return Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return [];
        }
    }

    public static string Encode(long lastId) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(lastId.ToString(CultureInfo.InvariantCulture)));

    /// <summary>True when <paramref name="cursor"/> is exactly what <see cref="Encode"/> writes for some id.</summary>
    public static bool TryDecode(string cursor, out long lastId)
    {
        lastId = 0;
        if (cursor.Length is 0 or > MaxIdCursorLength) return false;
        return long.TryParse(Encoding.ASCII.GetString(DecodeOrEmpty(cursor)), NumberStyles.None, CultureInfo.InvariantCulture, out lastId)
            && lastId > 0
            && Encode(lastId) == cursor;
    }
}
