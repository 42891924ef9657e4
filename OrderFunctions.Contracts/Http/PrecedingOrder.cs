namespace OrderFunctions.Http;

/// <summary>
/// The value of <see cref="OrderHeaders.IfOrderStored"/>: <c>username/clientOrderId</c>, each part percent-encoded as
/// <see cref="Uri.EscapeDataString(string)"/> does (a <c>/</c> inside a part is <c>%2F</c>), so any username travels in
/// a header.
/// </summary>
public static class PrecedingOrder
{
    public static string Format(string username, string clientOrderId) =>
        $"{Uri.EscapeDataString(username)}/{Uri.EscapeDataString(clientOrderId)}";

    /// <summary>False when <paramref name="value"/> is not two non-empty percent-encoded parts around one <c>/</c>.</summary>
    public static bool TryParse(string? value, out string username, out string clientOrderId)
    {
        username = clientOrderId = "";
        if (value is null) return false;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1 || value.IndexOf('/', slash + 1) >= 0) return false;
        if (!TryUnescape(value[..slash], out username) || !TryUnescape(value[(slash + 1)..], out clientOrderId)) return false;
        return username.Length > 0 && clientOrderId.Length > 0;
    }

    private static bool TryUnescape(string part, out string text)
    {
        text = "";
        for (var i = 0; i < part.Length; i++)
        {
            if (part[i] != '%') continue;
            if (i + 2 >= part.Length || !Uri.IsHexDigit(part[i + 1]) || !Uri.IsHexDigit(part[i + 2])) return false;
        }
        try
        {
            text = Uri.UnescapeDataString(part);
        }
        catch (UriFormatException)
        {
            return false;
        }
        return !text.Contains('\uFFFD', StringComparison.Ordinal) || part.Contains("%EF%BF%BD", StringComparison.OrdinalIgnoreCase);
    }
}
