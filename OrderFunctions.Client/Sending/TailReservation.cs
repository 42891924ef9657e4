namespace OrderFunctions.Client;

/// <summary>
/// How a producer takes the next position of a log (the memory ring's and the spool's alike): a compare-and-swap on
/// the shared tail, allowed only below a limit that another thread moves (the ring's acknowledged position plus its
/// capacity; the spool's writable end).
/// <para>
/// The first compare-and-swap is made on a guess (one past the position this thread took last), not on a read of the
/// tail: reading the line first fetches it shared, and the swap then has to fetch it again for ownership, two
/// transfers between cores per enqueue when producers on several cores alternate. A swap on a wrong guess fails but
/// returns the tail with the line already owned, so the second swap is usually local: one transfer. The limit is
/// checked against the value swapped against, so a wrong guess never refuses an order and never oversteps the limit.
/// </para>
/// </summary>
internal static class TailReservation
{
    // One past the position this thread took last, in any log: only ever a guess.
    [ThreadStatic]
    private static long _nextGuess;

    /// <summary>The position taken (the tail before it moved by one), or -1 when the tail has reached <c>limit + offset</c>.</summary>
    public static long TryReserve(ref long tail, ref long limit, long offset)
    {
        var position = _nextGuess;
        while (true)
        {
            if (position >= Volatile.Read(ref limit) + offset)
            {
                var current = Volatile.Read(ref tail);
                if (current == position) return -1;
                position = current; // the guess was ahead of this log (another log's): check the real tail
                continue;
            }
            var observed = Interlocked.CompareExchange(ref tail, position + 1, position);
            if (observed == position) break;
            position = observed;
        }
        _nextGuess = position + 1;
        return position;
    }
}
