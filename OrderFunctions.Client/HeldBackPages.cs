using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>
/// A listing page the store held back: no orders, and a <c>next</c> equal to the cursor it was asked with. On
/// PostgreSQL with several instances, a page stops below a commit still in flight (docs/read-api.md, "Tailing"), so
/// right then there is nothing settled to return yet; the held-back orders arrive on a later ask, usually milliseconds
/// later. A reader that follows <c>next</c> waits a moment (<see cref="Delay"/>) and asks again, rather than asking in a
/// tight loop or taking the repeated cursor for a broken server.
/// </summary>
public static class HeldBackPages
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(1);

    /// <summary>Whether <paramref name="page"/>, asked for with <c>after=</c><paramref name="cursor"/>, was held back.</summary>
    public static bool IsHeldBack(OrderPage page, string? cursor)
    {
        ArgumentNullException.ThrowIfNull(page);
        return IsHeldBack(page.Items.Count, page.Next, cursor);
    }

    /// <summary>Whether a page of <paramref name="items"/> items with <paramref name="next"/>, asked for after <paramref name="cursor"/>, was held back.</summary>
    public static bool IsHeldBack(int items, string? next, string? cursor) =>
        items == 0 && cursor is not null && string.Equals(next, cursor, StringComparison.Ordinal);

    /// <summary>The wait before ask number <paramref name="attempt"/> + 1 of a held-back page: 20 ms, doubling, at most 1 s.</summary>
    public static TimeSpan Delay(int attempt) =>
        attempt >= 6 ? Longest : TimeSpan.FromTicks(Math.Min(Longest.Ticks, First.Ticks << Math.Max(0, attempt)));
}
