using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace OrderFunctions.Http;

/// <summary>
/// The opaque <c>next</c>/<c>after</c> cursor of a listing: base64url of the last id returned. Opaque so that
/// clients pass it back unchanged and the paging key can change without breaking them.
/// </summary>
public static class PageCursor
{
    public static string Encode(long lastId) =>
        Base64Url.EncodeToString(Encoding.ASCII.GetBytes(lastId.ToString(CultureInfo.InvariantCulture)));

    /// <summary>True when <paramref name="cursor"/> is exactly what <see cref="Encode"/> writes for some id.</summary>
    public static bool TryDecode(string cursor, out long lastId)
    {
        lastId = 0;
        if (cursor.Length is 0 or > 32) return false;
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }
        return long.TryParse(Encoding.ASCII.GetString(bytes), NumberStyles.None, CultureInfo.InvariantCulture, out lastId)
            && lastId > 0
            && Encode(lastId) == cursor;
    }
}
