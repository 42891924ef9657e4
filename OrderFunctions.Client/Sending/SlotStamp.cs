namespace OrderFunctions.Client;

/// <summary>
/// The word in each slot of a log (the memory ring's sequence, the spool record's position field) that says which
/// position the slot belongs to and in what state. A producer and the sender may both want an unwritten position: the
/// producer to write its order there, the sender to skip it when the block it belongs to has waited too long (see
/// <see cref="BlockReservation"/>). One compare-and-swap on this word decides, so a position is written or skipped,
/// never both.
/// <list type="bullet">
/// <item><see cref="Written"/>(p) = p + 1: the order of position p is there (the spool's record also needs its length
/// and checksum; a record claimed and not finished is torn).</item>
/// <item><see cref="Claimed"/>(p): a producer is writing position p (memory ring only; the spool's claim is
/// <see cref="Written"/>, its length published last).</item>
/// <item><see cref="Skipped"/>(p) = ~p: the sender skipped position p; no order will ever be there.</item>
/// <item>Anything that belongs to an earlier position (a zeroed slot, the last lap's order): free for p.</item>
/// </list>
/// </summary>
internal static class SlotStamp
{
    private const long ClaimBit = 1L << 62;

    public static long Written(long position) => position + 1;

    public static long Claimed(long position) => (position + 1) | ClaimBit;

    public static long Skipped(long position) => ~position;

    /// <summary>The position a stamp belongs to (-1 for a zeroed slot).</summary>
    public static long PositionOf(long stamp) => stamp < 0 ? ~stamp : (stamp & ~ClaimBit) - 1;

    /// <summary>
    /// Takes the slot for <paramref name="position"/> with <paramref name="claim"/> if it is still free for it (its stamp
    /// belongs to an earlier position); false if the sender skipped it, or it belongs to a later lap already.
    /// </summary>
    public static bool TryClaim(ref long stamp, long position, long claim)
    {
        var old = Volatile.Read(ref stamp);
        return PositionOf(old) < position && Interlocked.CompareExchange(ref stamp, claim, old) == old;
    }

    /// <summary>Marks an unwritten position skipped; false when a producer has claimed it (it will be written).</summary>
    public static bool TrySkip(ref long stamp, long position)
    {
        var old = Volatile.Read(ref stamp);
        if (old == Skipped(position)) return true;
        return PositionOf(old) < position && Interlocked.CompareExchange(ref stamp, Skipped(position), old) == old;
    }
}
