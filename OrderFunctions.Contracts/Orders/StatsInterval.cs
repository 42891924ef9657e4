namespace OrderFunctions.Orders;

/// <summary>
/// The bucket widths of statistics over time (<c>interval=1m|5m|1h|1d</c>). Buckets are aligned to UTC: a bucket
/// starts at a whole multiple of its width counted from 0001-01-01T00:00Z (so also from the Unix epoch), e.g. a 5m
/// bucket at 10:05:00Z holds the orders from 10:05:00Z inclusive to 10:10:00Z exclusive.
/// </summary>
public static class StatsInterval
{
    /// <summary>Every accepted interval, in the order the API names them.</summary>
    public static readonly IReadOnlyList<string> Names = ["1m", "5m", "1h", "1d"];

    /// <summary>The width of <paramref name="name"/>, or false when it is not one of <see cref="Names"/> (case matters).</summary>
    public static bool TryParse(string? name, out TimeSpan width)
    {
        width = name switch
        {
            "1m" => TimeSpan.FromMinutes(1),
            "5m" => TimeSpan.FromMinutes(5),
            "1h" => TimeSpan.FromHours(1),
            "1d" => TimeSpan.FromDays(1),
            _ => TimeSpan.Zero,
        };
        return width > TimeSpan.Zero;
    }

    /// <summary>The start of the bucket of <paramref name="width"/> holding <paramref name="utc"/>.</summary>
    public static DateTime BucketStart(DateTime utc, TimeSpan width) =>
        new(utc.Ticks - utc.Ticks % width.Ticks, DateTimeKind.Utc);
}
