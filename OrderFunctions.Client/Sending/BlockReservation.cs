using System.Diagnostics;

namespace OrderFunctions.Client;

/// <summary>
/// How producers take positions of a log (the memory ring's and the spool's alike) without moving a shared cache line on
/// every enqueue. Each thread reserves a block of consecutive positions with one compare-and-swap on the shared tail,
/// then takes them one at a time from its own <see cref="ProducerBlock"/>. With four producers on two cores, one swap on
/// the shared tail per order gave per-call medians of 200-390 ns; with blocks, 80-260 ns (five alternating runs each,
/// docs/sender.md).
/// <para>
/// A thread's blocks start at 1 position and double each time one is used up within <see cref="QuickFill"/> of its
/// reservation, up to <see cref="MaxBlock"/>; a block that took longer halves the next. So a thread's block holds about
/// what it enqueues in a quarter of a millisecond: a thread that enqueues now and then takes one position at a time and
/// leaves no gap, and the orders of one thread wait at most about that long behind another thread's block. A thread
/// that stops in the middle of a block leaves positions no order will fill; the sender skips them after
/// <see cref="OrderSenderOptions.Linger"/> (<see cref="SlotStamp.TrySkip"/>), and the thread, finding its next position
/// skipped, gives up the rest of its block and reserves a new one at the tail. Each thread's orders keep their order
/// (its positions only grow); orders of different threads are ordered by block, not by the instant of the call.
/// </para>
/// <para>
/// Why blocks as large as 1,024 for a thread that enqueues fast: two cores writing interleaved runs of a log's slots
/// slow each other down, although no cache line is shared. Two threads appending into one mapping in alternating runs
/// of 16 records took 18-28 ns a record, in runs of 256 or 1,024 12-15 ns, as one thread alone (13 ns;
/// benchmarks/sender/interleave, 2026-12-08). In BenchmarkDotNet, four producers on the spool went from 199-314 ns a
/// call on a core with blocks of at most 16 to 146-176 ns with blocks of 1,024 (four alternating runs each, docs/sender.md).
/// </para>
/// <para>
/// The first swap of a reservation is made on a guess (the end of this thread's last block), not on a read of the tail:
/// reading the line first fetches it shared and the swap fetches it again for ownership, two transfers between cores.
/// The limit (the ring's acknowledged position plus its capacity; the spool's writable end) is checked against the value
/// swapped against, so a wrong guess neither refuses an order nor oversteps the limit: near the limit a block shrinks to
/// what is left.
/// </para>
/// </summary>
internal sealed class BlockReservation(long start, TimeSpan quickFill)
{
    public const int MaxBlock = 1024;

    /// <summary>A block used up within this long of its reservation doubles the thread's next one; one that took longer halves it.</summary>
    public static readonly TimeSpan QuickFill = TimeSpan.FromMicroseconds(250);

    private readonly long _quickFillTicks = (long)(quickFill.TotalSeconds * Stopwatch.Frequency);

    // The block of the log this thread used last, without ThreadLocal<T>: one CI run saw 5,688 bytes allocated inside
    // a loop of enqueues already warmed up, most likely ThreadLocal's slow path (a table the size of every id in use).
    [ThreadStatic]
    private static BlockReservation? _lastOwner;
    [ThreadStatic]
    private static ProducerBlock? _lastBlock;

    private readonly Lock _adding = new();
    private ProducerBlock[] _all = [];
    private PaddedLong _tail = new() { Value = start };

    /// <summary>The first position no producer has reserved.</summary>
    public long Tail => Volatile.Read(ref _tail.Value);

    /// <summary>This thread's block of this log: two thread-static reads when this thread's last log was this one.</summary>
    public ProducerBlock Current => ReferenceEquals(_lastOwner, this) ? _lastBlock! : Switch();

    /// <summary>Every thread's block (for the spool, which waits for appends under way).</summary>
    public IReadOnlyList<ProducerBlock> All => Volatile.Read(ref _all);

    /// <summary>
    /// The lowest position a producer may still write: the next of a block not used up (the one before it may be being
    /// written), the last of a block whose thread is appending; <see cref="Tail"/> when there is none. A hint for the
    /// spool's thread, which keeps the pages producers will write ready: read without locks, a block reserved at the same
    /// moment may be seen half-updated, which gives an older position (lower, as every thread's positions only grow).
    /// </summary>
    public long LowestUnwritten()
    {
        var lowest = Tail;
        foreach (var block in All)
        {
            var next = Volatile.Read(ref block.Next);
            var end = Volatile.Read(ref block.End);
            if (next < end) lowest = Math.Min(lowest, next - 1);
            else if (Volatile.Read(ref block.Appending) != 0) lowest = Math.Min(lowest, end - 1);
        }
        return Math.Max(lowest, 0);
    }

    /// <summary>
    /// Finds this thread's block among the ones of this log, or adds one (the only allocation: once per thread and log).
    /// A new thread that gets the managed id of one that has ended takes its block over, which is harmless: the ended
    /// thread is appending nothing, and the positions only grow.
    /// </summary>
    private ProducerBlock Switch()
    {
        var thread = Environment.CurrentManagedThreadId;
        ProducerBlock? mine = null;
        foreach (var block in Volatile.Read(ref _all))
        {
            if (block.Thread == thread)
            {
                mine = block;
                break;
            }
        }
        if (mine is null)
        {
            mine = new ProducerBlock { Thread = thread };
            lock (_adding) Volatile.Write(ref _all, [.. _all, mine]);
        }
        _lastOwner = this;
        _lastBlock = mine;
        return mine;
    }

    /// <summary>
    /// The next position of <paramref name="block"/>, reserving a new block when it is used up; -1 when the tail has
    /// reached <c>limit + offset</c>.
    /// </summary>
    public long TryNext(ProducerBlock block, ref long limit, long offset)
    {
        if (block.Next < block.End) return block.Next++;
        // How fast this thread used its last block up sizes the next; a thread's first block, and the one after a block
        // the sender cut short, is one position.
        var now = Stopwatch.GetTimestamp();
        var size = block.Size == 0 ? 1 : now - block.Reserved < _quickFillTicks ? Math.Min(block.Size * 2, MaxBlock) : Math.Max(block.Size / 2, 1);
        var position = block.End;
        long count;
        while (true)
        {
            var available = Volatile.Read(ref limit) + offset - position;
            if (available <= 0)
            {
                var current = Volatile.Read(ref _tail.Value);
                if (current == position) return -1;
                position = current; // the guess was stale: check the real tail
                continue;
            }
            count = Math.Min(size, available);
            var observed = Interlocked.CompareExchange(ref _tail.Value, position + count, position);
            if (observed == position) break;
            position = observed;
        }
        block.Size = size;
        block.Reserved = now;
        block.Next = position + 1;
        block.End = position + count;
        return position;
    }
}
