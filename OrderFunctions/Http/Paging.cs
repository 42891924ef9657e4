namespace OrderFunctions.Http;

/// <summary>
/// Keyset paging as every read of many answers it: the store is asked for one item more than the page holds, and
/// whether that one comes back says if there is a next page, without a COUNT. The page's <c>next</c> cursor names its
/// last item and is passed back as <c>after</c>; it is null on the last page.
/// </summary>
public static class Paging
{
    /// <summary>
    /// One page of at most <paramref name="limit"/> items: <paramref name="read"/> is called with
    /// <paramref name="limit"/> + 1, <paramref name="cursorOf"/> encodes the last item kept, <paramref name="page"/>
    /// builds the answer from the items and the next cursor.
    /// </summary>
    public static async Task<TPage> ReadAsync<TItem, TPage>(
        int limit,
        Func<int, Task<IReadOnlyList<TItem>>> read,
        Func<TItem, string> cursorOf,
        Func<IReadOnlyList<TItem>, string?, TPage> page)
    {
        var found = await read(limit + 1).ConfigureAwait(false);
        if (found.Count <= limit) return page(found, null);
        var kept = found.Take(limit).ToArray();
        return page(kept, cursorOf(kept[^1]));
    }
}
