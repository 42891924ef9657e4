using System.Security.Cryptography;

namespace OrderFunctions.Client;

/// <summary>
/// The clientOrderIds a sender makes for orders that have none: a per-run prefix (the run's start in milliseconds,
/// base32 so that text order is time order, and 5 random characters) then the order's sequence number as 12 hex
/// digits: <c>01JF3Q7ZKX9RWT-00000000002a</c>. Time-ordered, unique per run, 26 visible ASCII characters (the server
/// takes 1-64). Written as bytes, never as a string, so enqueueing allocates nothing.
/// </summary>
internal static class ClientOrderIds
{
    public const int PrefixLength = 15;
    public const int Length = PrefixLength + 12;
    private static ReadOnlySpan<byte> Base32 => "0123456789ABCDEFGHJKMNPQRSTVWXYZ"u8;
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    public static byte[] NewPrefix(DateTimeOffset now)
    {
        var prefix = new byte[PrefixLength];
        var millis = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 8; i >= 0; i--)
        {
            prefix[i] = Base32[(int)(millis & 31)];
            millis >>= 5;
        }
        Span<byte> random = stackalloc byte[5];
        RandomNumberGenerator.Fill(random);
        for (var i = 0; i < 5; i++) prefix[9 + i] = Base32[random[i] & 31];
        prefix[14] = (byte)'-';
        return prefix;
    }

    /// <summary>Writes prefix + 12 hex digits of <paramref name="sequence"/> into <paramref name="destination"/>.</summary>
    public static void Write(ReadOnlySpan<byte> prefix, long sequence, Span<byte> destination)
    {
        prefix.CopyTo(destination);
        var value = (ulong)sequence;
        for (var i = Length - 1; i >= PrefixLength; i--)
        {
            destination[i] = Hex[(int)(value & 15)];
            value >>= 4;
        }
    }

    public static string ToString(ReadOnlySpan<byte> prefix, long sequence)
    {
        Span<byte> bytes = stackalloc byte[Length];
        Write(prefix, sequence, bytes);
        return System.Text.Encoding.ASCII.GetString(bytes);
    }
}
