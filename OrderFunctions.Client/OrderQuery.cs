using System.Globalization;
using System.Text;

namespace OrderFunctions.Client;

/// <summary>The filters and paging of a listing or of the statistics (every field optional).</summary>
public sealed record OrderQuery
{
    /// <summary>Only this user's orders.</summary>
    public string? Username { get; init; }
    /// <summary>Only this market.</summary>
    public string? Market { get; init; }
    /// <summary><c>buy</c> or <c>sell</c> (listings only).</summary>
    public string? Side { get; init; }
    /// <summary>Only the orders this caller stored (the audit trail's <c>StoredBy</c>; listings and the export).</summary>
    public string? StoredBy { get; init; }
    /// <summary>Orders at or after this instant.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Orders before this instant.</summary>
    public DateTimeOffset? To { get; init; }
    /// <summary>Items per page, 1-1000 (server default 100).</summary>
    public int? Limit { get; init; }
    /// <summary>The cursor of the page to read: the previous page's <c>Next</c>.</summary>
    public string? After { get; init; }

    internal string ToQueryString()
    {
        var builder = new StringBuilder();
        void Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            builder.Append(builder.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        Add("username", Username);
        Add("market", Market);
        Add("side", Side);
        Add("from", Instant(From));
        Add("to", Instant(To));
        Add("storedBy", StoredBy);
        Add("limit", Limit?.ToString(CultureInfo.InvariantCulture));
        Add("after", After);
        return builder.ToString();
    }

    // UTC with as many fraction digits as needed (2026-11-27T00:00:00Z): the same instant as "O", in a shorter URL.
    private static string? Instant(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
