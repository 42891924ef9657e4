using System.Runtime.InteropServices;

namespace OrderFunctions.Client;

/// <summary>
/// A long alone on its cache line (64 bytes of padding on either side): the tail every producer compare-and-swaps
/// must not share a line with fields the sender thread writes, or each of its writes would stall every producer.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
