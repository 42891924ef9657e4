using System.Runtime.InteropServices;
using System.Text.Json;

namespace OrderFunctions.Client;

/// <summary>
/// The memory-only log: a bounded ring of struct slots, preallocated, for many producers and one consumer. A producer
/// reserves a position with one compare-and-swap on the tail, copies the caller's struct into its slot and publishes
/// it by writing position + 1 into the slot's sequence, which the consumer waits for: no allocation, no lock, no system
/// call. Full (Tail - Acked = capacity): <see cref="EnqueueStatus.BufferFull"/>.
/// </summary>
internal sealed class MemoryOrderLog : IOrderLog
{
    // 80 bytes of data padded to 128: producers on different cores write neighbouring slots at once, and two slots
    // sharing a cache line would make every enqueue wait for the line to move between cores.
    private struct Slot
    {
        public long Sequence;
        public OutgoingOrder Order;
#pragma warning disable CS0169, IDE0051 // padding, never read
        private Padding _padding;
#pragma warning restore CS0169, IDE0051
    }

    [StructLayout(LayoutKind.Sequential, Size = 48)]
    private struct Padding
    {
        private long _unused;
    }

    private readonly Slot[] _slots;
    private readonly byte[] _idPrefix;
    private PaddedLong _tail;
    private long _acked;

    public MemoryOrderLog(int capacity, byte[] idPrefix)
    {
        _slots = new Slot[capacity];
        for (var i = 0; i < capacity; i++) _slots[i].Sequence = i;
        _idPrefix = idPrefix;
    }

    public long Acked => Volatile.Read(ref _acked);
    public long Tail => Volatile.Read(ref _tail.Value);
    public long BufferedBytes => (Tail - Acked) * System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>();
    public string? Location => null;

    /// <summary>
    /// Reserves the next position by compare-and-swap on the tail alone, then writes the slot and publishes it. Whether
    /// the ring has room is read from <see cref="Acked"/> (a line only the sender thread writes, once per batch, so it
    /// stays in every core's cache), never from the slot itself: the slot's line is cold (the ring is larger than the
    /// caches), and reading it before the compare-and-swap put a cache miss between reading the tail and swapping it,
    /// which kept the swap's window open long enough for other producers to take the position (each failure another
    /// miss on the next slot). A slot below Acked + capacity is free: <see cref="Commit"/> clears it before it moves Acked.
    /// </summary>
    public EnqueueStatus TryAppend(in OutgoingOrder order)
    {
        var slots = _slots;
        // The previous call's stores into its slot (a cache miss each) are still draining: the compare-and-swap would
        // wait for them after the tail was read, which opens the same window again. Drain them before reading the tail.
        Interlocked.MemoryBarrier();
        var position = Volatile.Read(ref _tail.Value);
        while (true)
        {
            if (position - Volatile.Read(ref _acked) >= slots.Length) return EnqueueStatus.BufferFull;
            var observed = Interlocked.CompareExchange(ref _tail.Value, position + 1, position);
            if (observed == position) break;
            position = observed;
        }
        ref var slot = ref slots[position % slots.Length];
        slot.Order = order;
        Volatile.Write(ref slot.Sequence, position + 1);
        return EnqueueStatus.Accepted;
    }

    public SlotState WriteJson(long position, Utf8JsonWriter writer)
    {
        ref var slot = ref _slots[position % _slots.Length];
        if (Volatile.Read(ref slot.Sequence) != position + 1) return SlotState.Pending;
        Span<byte> id = stackalloc byte[ClientOrderIds.Length];
        if (slot.Order.ClientOrderId is null) ClientOrderIds.Write(_idPrefix, position, id);
        OrderJson.Write(writer, slot.Order, id);
        return SlotState.Ready;
    }

    public OutgoingOrder Read(long position)
    {
        var order = _slots[position % _slots.Length].Order;
        return order.ClientOrderId is null ? order with { ClientOrderId = ClientOrderIds.ToString(_idPrefix, position) } : order;
    }

    public void Commit(long next)
    {
        for (var position = _acked; position < next; position++)
        {
            _slots[position % _slots.Length].Order = default; // the caller's strings are not kept alive by an empty slot
        }
        // Publishes the cleared slots: a producer that reads the new Acked may write them at once.
        Volatile.Write(ref _acked, next);
    }

    public void FlushToDisk(long end)
    {
    }

    public void Dispose()
    {
    }
}
