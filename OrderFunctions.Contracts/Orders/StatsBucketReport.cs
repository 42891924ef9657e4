namespace OrderFunctions.Orders;

/// <summary>
/// The body of <c>GET /API/orders/stats?interval=</c>: up to a page of buckets, ordered by market (ordinal) and then by
/// start; buckets without orders are left out. <see cref="Next"/> is passed back as <c>after</c> for the following
/// buckets, null on the last page.
/// </summary>
public sealed record StatsBucketReport(string Interval, IReadOnlyList<StatsBucket> Buckets, string? Next)
{
    /// <summary>Buckets per page when <c>limit</c> is not given: one day of minutes.</summary>
    public const int DefaultLimit = 1440;

    /// <summary>The most buckets one page holds (<c>limit</c> at most this).</summary>
    public const int MaxLimit = 10_000;
}
