using System.Runtime.InteropServices;
using System.Text.Json;

namespace OrderFunctions.Client;

/// <summary>
/// The memory-only log: a bounded ring of struct slots, preallocated, for many producers and one consumer (each slot
/// carries a sequence number that says whose turn it is, after Dmitry Vyukov's bounded queue). Appending copies the
/// caller's struct into a slot: no allocation, no lock, no system call. Full: <see cref="EnqueueStatus.BufferFull"/>.
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

    public EnqueueStatus TryAppend(in OutgoingOrder order)
    {
        var slots = _slots;
        var position = Volatile.Read(ref _tail.Value);
        while (true)
        {
            ref var slot = ref slots[position % slots.Length];
            var difference = Volatile.Read(ref slot.Sequence) - position;
            if (difference == 0)
            {
                if (Interlocked.CompareExchange(ref _tail.Value, position + 1, position) == position)
                {
                    slot.Order = order;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return EnqueueStatus.Accepted;
                }
                position = Volatile.Read(ref _tail.Value);
            }
            else if (difference < 0)
            {
                return EnqueueStatus.BufferFull;
            }
            else
            {
                position = Volatile.Read(ref _tail.Value);
            }
        }
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
            ref var slot = ref _slots[position % _slots.Length];
            slot.Order = default; // the caller's strings are not kept alive by an empty slot
            Volatile.Write(ref slot.Sequence, position + _slots.Length);
        }
        Volatile.Write(ref _acked, next);
    }

    public void FlushToDisk(long end)
    {
    }

    public void Dispose()
    {
    }
}
