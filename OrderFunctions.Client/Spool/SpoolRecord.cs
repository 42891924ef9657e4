using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using OrderFunctions.Orders;

namespace OrderFunctions.Client.Spool;

/// <summary>What a spool slot holds for the position the reader expects.</summary>
internal enum RecordCheck
{
    /// <summary>A complete record of this position: length in range, checksum right.</summary>
    Valid,
    /// <summary>Never claimed for this position (zeros, an older record of a recycled segment, a producer's unused position).</summary>
    Absent,
    /// <summary>Skipped by the sender: the producer that reserved it never wrote it.</summary>
    Skipped,
    /// <summary>Written for this position but incomplete or damaged (the process was killed mid-append, or the disk lied).</summary>
    Torn,
}

/// <summary>
/// One order in the spool: a fixed 384-byte slot, so a producer reserves its place with one compare-and-swap and a
/// damaged record never hides the ones after it (the next record starts at a known offset, as Chronicle Queue's
/// headers allow). Header: payload length (written last, so a reader never sees a length before the bytes), CRC-32C
/// of stamp + payload, the stamp (<see cref="SlotStamp"/>: position + 1 once a producer claimed the slot, ~position when
/// the sender skipped it). Payload: UTC ticks, size and price as decimal bits, side, then username,
/// market and clientOrderId as length-prefixed UTF-8.
/// </summary>
internal static unsafe class SpoolRecord
{
    public const int SlotBytes = 384;
    public const int HeaderBytes = 16;
    public const int MaxPayloadBytes = SlotBytes - HeaderBytes;
    private const int FixedBytes = 8 + 16 + 16 + 1;

    /// <summary>The slot's stamp, the word a producer and the sender compare-and-swap to claim or skip the position.</summary>
    public static ref long Stamp(byte* slot) => ref *(long*)(slot + 8);

    /// <summary>Encodes a valid order into its slot and publishes it; the caller has claimed the slot (its stamp).</summary>
    public static void Write(byte* slot, long position, in OutgoingOrder order, ReadOnlySpan<byte> idPrefix)
    {
        var payload = new Span<byte>(slot + HeaderBytes, MaxPayloadBytes);
        BinaryPrimitives.WriteInt64LittleEndian(payload, order.UtcTimestamp().Ticks);
        decimal.GetBits(order.Size, MemoryMarshalInts(payload.Slice(8, 16)));
        decimal.GetBits(order.Price, MemoryMarshalInts(payload.Slice(24, 16)));
        payload[40] = ReferenceEquals(OrderSide.Normalize(order.Side), OrderSide.Buy) ? (byte)0 : (byte)1;
        var offset = FixedBytes;
        offset += WriteText(payload[offset..], order.Username, utf8: true);
        offset += WriteText(payload[offset..], order.Market, utf8: false);
        if (order.ClientOrderId is { } id)
        {
            offset += WriteText(payload[offset..], id, utf8: false);
        }
        else
        {
            payload[offset] = ClientOrderIds.Length;
            ClientOrderIds.Write(idPrefix, position, payload.Slice(offset + 1, ClientOrderIds.Length));
            offset += 1 + ClientOrderIds.Length;
        }
        *(uint*)(slot + 4) = Checksum(slot, offset);
        Volatile.Write(ref *(int*)slot, offset);
    }

    public static RecordCheck Check(byte* slot, long position, out int length)
    {
        length = Volatile.Read(ref *(int*)slot);
        var stamp = Volatile.Read(ref Stamp(slot));
        if (stamp == SlotStamp.Skipped(position)) return RecordCheck.Skipped;
        if (stamp == position) return IsComplete(slot, length) ? RecordCheck.Valid : RecordCheck.Absent; // the format before stamps
        if (stamp != SlotStamp.Written(position)) return RecordCheck.Absent;
        return IsComplete(slot, length) ? RecordCheck.Valid : RecordCheck.Torn;
    }

    /// <summary>
    /// Length in range, checksum right, fields that parse. A spool written before the stamps (the position itself in the
    /// stamp's place, checksummed the same way) is read as it was: in a slot of position p, a stamp of p can be nothing
    /// else (the stamps of this format put p + 1 there for p, and p - 1 belongs to another slot).
    /// </summary>
    private static bool IsComplete(byte* slot, int length)
    {
        if (length is < FixedBytes + 3 or > MaxPayloadBytes) return false;
        if (*(uint*)(slot + 4) != Checksum(slot, length)) return false;
        // The fields must also parse: a checksum collision must not crash the reader.
        return Parse(slot, length, out _, out _, out _);
    }

    public static void WriteJson(byte* slot, int length, Utf8JsonWriter writer)
    {
        Parse(slot, length, out var username, out var market, out var id);
        var payload = new ReadOnlySpan<byte>(slot + HeaderBytes, length);
        OrderJson.Write(writer, Timestamp(payload), payload.Slice(username.Start, username.Length), payload.Slice(market.Start, market.Length),
            payload[40] == 0 ? OrderSide.Buy : OrderSide.Sell, Decimal(payload.Slice(8, 16)), Decimal(payload.Slice(24, 16)), payload.Slice(id.Start,
                id.Length));
    }

    public static OutgoingOrder Read(byte* slot, int length)
    {
        Parse(slot, length, out var username, out var market, out var id);
        var payload = new ReadOnlySpan<byte>(slot + HeaderBytes, length);
        return new OutgoingOrder(Timestamp(payload), Encoding.UTF8.GetString(payload.Slice(username.Start, username.Length)),
            Encoding.ASCII.GetString(payload.Slice(market.Start, market.Length)), payload[40] == 0 ? OrderSide.Buy : OrderSide.Sell,
            Decimal(payload.Slice(8, 16)), Decimal(payload.Slice(24, 16)), Encoding.ASCII.GetString(payload.Slice(id.Start, id.Length)));
    }

    private static DateTime Timestamp(ReadOnlySpan<byte> payload) =>
        new(BinaryPrimitives.ReadInt64LittleEndian(payload), DateTimeKind.Utc);

    private static decimal Decimal(ReadOnlySpan<byte> bits) => new(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bits));

    private static Span<int> MemoryMarshalInts(Span<byte> bytes) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(bytes);

    private readonly record struct Field(int Start, int Length);

    private static bool Parse(byte* slot, int length, out Field username, out Field market, out Field id)
    {
        var payload = new ReadOnlySpan<byte>(slot + HeaderBytes, length);
        username = market = id = default;
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(payload);
        if (ticks is < 0 || ticks > DateTime.MaxValue.Ticks || payload[40] > 1) return false;
        var offset = FixedBytes;
        if (!Next(payload, ref offset, out username) || !Next(payload, ref offset, out market) || !Next(payload, ref offset, out id)) return false;
        if (offset != length) return false;
        var scale = (payload[8 + 14]);
        var priceScale = (payload[24 + 14]);
        return scale <= 28 && priceScale <= 28;
    }

    private static bool Next(ReadOnlySpan<byte> payload, ref int offset, out Field field)
    {
        field = default;
        if (offset >= payload.Length) return false;
        int length = payload[offset];
        if (length == 0 || offset + 1 + length > payload.Length) return false;
        field = new Field(offset + 1, length);
        offset += 1 + length;
        return true;
    }

    private static int WriteText(Span<byte> destination, string value, bool utf8)
    {
        var length = utf8 ? Encoding.UTF8.GetBytes(value, destination[1..]) : Encoding.ASCII.GetBytes(value, destination[1..]);
        destination[0] = (byte)length;
        return 1 + length;
    }

    /// <summary>CRC-32C (hardware-assisted) of the position and the payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Checksum(byte* slot, int length)
    {
        var crc = BitOperations.Crc32C(~0u, *(ulong*)(slot + 8));
        var data = slot + HeaderBytes;
        var i = 0;
        for (; i + 8 <= length; i += 8) crc = BitOperations.Crc32C(crc, *(ulong*)(data + i));
        for (; i < length; i++) crc = BitOperations.Crc32C(crc, data[i]);
        return ~crc;
    }
}
