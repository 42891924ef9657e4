using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// The values of one order as the SQLite writer binds them that are not the order's own strings: the timestamp in its
/// stored text form (UTF-8) and size and price in units of 10^-8. Computed on the request's thread
/// (<see cref="SqliteOrderWriter.Prepare"/>), so the single writer thread only binds and steps.
/// </summary>
internal struct SqliteRow
{
    private TimestampText _timestamp;
    private TimestampText _receivedAt;

    public long SizeUnits;
    public long PriceUnits;

    public static SqliteRow From(Order order)
    {
        var row = new SqliteRow
        {
            SizeUnits = OrderDecimal.ToUnits(order.Size),
            PriceUnits = OrderDecimal.ToUnits(order.Price),
        };
        SqliteOrderSchema.FormatTimestamp(order.Timestamp, row._timestamp);
        if (order.ReceivedAt is { } receivedAt) SqliteOrderSchema.FormatTimestamp(receivedAt, row._receivedAt);
        return row;
    }

    /// <summary>The timestamp in <see cref="SqliteOrderSchema.TimestampFormat"/>, UTF-8.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Timestamp => _timestamp;

    /// <summary>The audit trail's <c>received_at</c> in the same format; meaningful only when the order has one.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<byte> ReceivedAt => _receivedAt;

    [InlineArray(SqliteOrderSchema.TimestampLength)]
    private struct TimestampText
    {
        private byte _first;
    }
}
