using System.Buffers;
using System.Text.Unicode;

namespace OrderFunctions.Http;

/// <summary>
/// The value of <see cref="OrderHeaders.IfOrderStored"/>, written and read in one place for the server and its clients:
/// <c>&lt;username&gt;/&lt;clientOrderId&gt;</c>, each part percent-encoded as <see cref="Uri.EscapeDataString(string)"/>
/// does, so a <c>/</c> inside a part travels as <c>%2F</c> and non-ASCII usernames as their UTF-8 bytes.
/// </summary>
public static class PrecedingOrder
{
    /// <summary>The header value naming the order <paramref name="clientOrderId"/> of <paramref name="username"/>.</summary>
    public static string Format(string username, string clientOrderId)
    {
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentException.ThrowIfNullOrEmpty(clientOrderId);
        return $"{Uri.EscapeDataString(username)}/{Uri.EscapeDataString(clientOrderId)}";
    }

    /// <summary>
    /// Reads a header value written by <see cref="Format"/>: false when it is not exactly two non-empty parts around one
    /// <c>/</c>, or a part holds a <c>%</c> that does not start two hex digits, escapes that are not UTF-8, or a non-ASCII
    /// character.
    /// </summary>
    public static bool TryParse(string? value, out string username, out string clientOrderId)
    {
        username = "";
        clientOrderId = "";
        if (string.IsNullOrEmpty(value)) return false;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || value.IndexOf('/', slash + 1) >= 0) return false;
        if (Unescape(value.AsSpan(0, slash)) is not { Length: > 0 } user) return false;
        if (Unescape(value.AsSpan(slash + 1)) is not { Length: > 0 } id) return false;
        username = user;
        clientOrderId = id;
        return true;
    }

    // Strict percent-decoding: Uri.UnescapeDataString leaves a stray % or invalid UTF-8 as it is, which would name a
    // different order than the sender meant; here either is a malformed value, as is a character Format never writes
    // unescaped (non-ASCII).
    private static string? Unescape(ReadOnlySpan<char> part)
    {
        var bytes = new byte[part.Length];
        var length = 0;
        for (var i = 0; i < part.Length; i++)
        {
            var c = part[i];
            if (c >= 0x80) return null;
            if (c != '%')
            {
                bytes[length++] = (byte)c;
                continue;
            }
            if (i + 2 >= part.Length) return null;
            var high = HexValue(part[i + 1]);
            var low = HexValue(part[i + 2]);
            if (high < 0 || low < 0) return null;
            bytes[length++] = (byte)((high << 4) | low);
            i += 2;
        }
        // UTF-16 never needs more characters than UTF-8 has bytes.
        var chars = new char[length];
        var status = Utf8.ToUtf16(bytes.AsSpan(0, length), chars, out _, out var written, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? new string(chars, 0, written) : null;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
