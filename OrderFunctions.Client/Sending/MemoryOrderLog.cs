using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace OrderFunctions.Client;

/// <summary>
/// The memory-only log: a bounded ring of struct slots, preallocated, for many producers and one consumer. A producer
/// takes the next position of its block (<see cref="BlockReservation"/>), claims the slot with a compare-and-swap on its
/// sequence (a line no other thread writes then), copies the caller's struct and publishes it by writing
/// <see cref="SlotStamp.Written"/> into the sequence, which the consumer waits for: no allocation, no lock, no system
/// call. Full (Tail - Acked = capacity): <see cref="EnqueueStatus.BufferFull"/>.
/// </summary>
internal sealed class MemoryOrderLog : IOrderLog
{
    // 8 + 72 bytes of data, then 64 bytes no other slot's data shares: producers on different cores write
    // neighbouring slots at once, and a cache line holding the end of one slot and the start of the next would make
    // every enqueue wait for the line to move between cores. The array's data is only 8-byte aligned, so a slot of
    // 128 (two lines' worth) straddled three lines, sharing the first and last with its neighbours: with 4 producers
    // on 2 cores the median enqueue was 230-250 ns in some runs and 90 in others (wherever the ring happened to lie).
    // A gap of a whole line after the data rules the sharing out at any alignment.
    [StructLayout(LayoutKind.Explicit, Size = 8 + 80 + 64)]
    private struct Slot
    {
        [FieldOffset(0)]
        public long Sequence;

        [FieldOffset(8)]
        public OutgoingOrder Order;
    }

    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private readonly byte[] _idPrefix;
    private readonly BlockReservation _reservation;
    private long _acked;

    /// <summary>
    /// <paramref name="capacity"/> orders at most; the ring itself is rounded up to a power of two, so that a position's
    /// slot is a mask, not a 64-bit division on every enqueue. <paramref name="blockQuickFill"/>: see
    /// <see cref="OrderSenderOptions.BlockQuickFill"/>.
    /// </summary>
    public MemoryOrderLog(int capacity, byte[] idPrefix, TimeSpan? blockQuickFill = null)
    {
        _reservation = new BlockReservation(0, blockQuickFill ?? BlockReservation.QuickFill);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        var length = (int)BitOperations.RoundUpToPowerOf2((uint)capacity);
        _slots = new Slot[length]; // sequence 0: free for every position (SlotStamp)
        _mask = length - 1;
        _capacity = capacity;
        _idPrefix = idPrefix;
    }

    public long Acked => Volatile.Read(ref _acked);
    public long Tail => _reservation.Tail;
    public long BufferedBytes => (Tail - Acked) * SlotBytes;

    /// <summary>A slot's size in the ring, and how much of it is data (its sequence and the order).</summary>
    internal static int SlotBytes => System.Runtime.CompilerServices.Unsafe.SizeOf<Slot>();
    internal static int SlotDataBytes => sizeof(long) + System.Runtime.CompilerServices.Unsafe.SizeOf<OutgoingOrder>();
    public string? Location => null;

    /// <summary>
    /// Takes the next position of this thread's block (<see cref="BlockReservation"/>), then claims, writes and publishes
    /// the slot. Whether the ring has room is read from <see cref="Acked"/> when a block is reserved (a line only the
    /// sender thread writes, once per batch, so it stays in every core's cache), never from the slot itself (the slot's
    /// line is cold: the ring is larger than the caches). A slot below Acked + capacity is free: <see cref="Commit"/>
    /// clears it before it moves Acked. A claim fails only when the sender skipped the position (this thread's block had
    /// waited longer than the linger): the rest of the block is given up and the order goes into a new one.
    /// </summary>
    public EnqueueStatus TryAppend(in OutgoingOrder order)
    {
        var block = _reservation.Current;
        while (true)
        {
            var position = _reservation.TryNext(block, ref _acked, _capacity);
            if (position < 0) return EnqueueStatus.BufferFull;
            ref var slot = ref _slots[position & _mask];
            if (!SlotStamp.TryClaim(ref slot.Sequence, position, SlotStamp.Claimed(position)))
            {
                block.Abandon();
                continue;
            }
            slot.Order = order;
            Volatile.Write(ref slot.Sequence, SlotStamp.Written(position));
            return EnqueueStatus.Accepted;
        }
    }

    public SlotState WriteJson(long position, Utf8JsonWriter writer)
    {
        ref var slot = ref _slots[position & _mask];
        var sequence = Volatile.Read(ref slot.Sequence);
        if (sequence != SlotStamp.Written(position)) return sequence == SlotStamp.Skipped(position) ? SlotState.Skip : SlotState.Pending;
        Span<byte> id = stackalloc byte[ClientOrderIds.Length];
        if (slot.Order.ClientOrderId is null) ClientOrderIds.Write(_idPrefix, position, id);
        OrderJson.Write(writer, slot.Order, id);
        return SlotState.Ready;
    }

    public OutgoingOrder Read(long position)
    {
        var order = _slots[position & _mask].Order;
        return order.ClientOrderId is null ? order with { ClientOrderId = ClientOrderIds.ToString(_idPrefix, position) } : order;
    }

    public bool TrySkip(long position) => SlotStamp.TrySkip(ref _slots[position & _mask].Sequence, position);

    public void Commit(long next)
    {
        for (var position = _acked; position < next; position++)
        {
            _slots[position & _mask].Order = default; // the caller's strings are not kept alive by an empty slot
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
