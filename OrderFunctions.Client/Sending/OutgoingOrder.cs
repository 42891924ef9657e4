using System.Runtime.CompilerServices;
using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>
/// One order as a trading system hands it to <see cref="OrderSender.TryEnqueue(in OutgoingOrder)"/>: a struct, so
/// enqueueing allocates nothing. <see cref="Timestamp"/> is taken as UTC unless its kind is Local; <see cref="Side"/> is
/// <c>buy</c> or <c>sell</c> in any casing; <see cref="ClientOrderId"/> is the idempotency key (null: the sender makes one).
/// </summary>
public readonly record struct OutgoingOrder(
    DateTime Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    string? ClientOrderId = null)
{
    /// <summary>
    /// True when the server would accept this order: the same rules as <see cref="OrderValidator"/>, checked without
    /// allocating. <see cref="Explain"/> gives the server's own messages for an order this refuses.
    /// </summary>
    public bool IsValid()
    {
        if (OrderSide.Normalize(Side) is null) return false;
        if (!IsName(Username, OrderValidator.MaxUsernameLength)) return false;
        if (!IsName(Market, OrderValidator.MaxMarketLength) || !OrderValidator.IsMarketSymbol(Market)) return false;
        if (!IsAmount(Size) || !IsAmount(Price)) return false;
        if (ClientOrderId is { } id && !IsClientOrderId(id)) return false;
        return true;
    }

    /// <summary>The field errors the server would answer for this order (empty when it is valid), from <see cref="OrderValidator"/>.</summary>
    public IReadOnlyDictionary<string, string[]> Explain()
    {
        var errors = new ValidationErrors();
        OrderValidator.Validate(ToRequest(), errors);
        return errors.ToDictionary();
    }

    /// <summary>The order as the wire record <see cref="OrderRequest"/> (timestamp as ISO 8601 UTC).</summary>
    public OrderRequest ToRequest() => new()
    {
        Timestamp = UtcTimestamp().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        Username = Username,
        Market = Market,
        Side = Side,
        Size = Size,
        Price = Price,
        ClientOrderId = ClientOrderId,
    };

    internal DateTime UtcTimestamp() => Timestamp.Kind switch
    {
        DateTimeKind.Local => Timestamp.ToUniversalTime(),
        DateTimeKind.Utc => Timestamp,
        _ => DateTime.SpecifyKind(Timestamp, DateTimeKind.Utc),
    };

    private static bool IsName(string? value, int maxLength)
    {
        if (value is null || value.Length == 0 || value.Length > maxLength) return false;
        var blank = true;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c)) return false;
            if (!char.IsWhiteSpace(c)) blank = false;
            // JSON cannot carry a lone surrogate, so no server could ever receive one.
            if (char.IsHighSurrogate(c) && (i + 1 == value.Length || !char.IsLowSurrogate(value[++i]))) return false;
            if (char.IsLowSurrogate(c)) return false;
        }
        return !blank;
    }

    /// <summary>
    /// The server's rule for a size or price (<see cref="OrderDecimal"/>): positive, at most its maximum, at most 8
    /// decimal places. For a value written with at most 8 places in under 2^64 units of its last place, decided on the
    /// decimal's bits (its units against the maximum's at the same scale): the decimal comparisons and rounding the rule
    /// is written with were a third of TryEnqueue's own time (<c>perf</c>, 2026-12-08). Anything else takes that path.
    /// </summary>
    private static bool IsAmount(decimal value)
    {
        var scale = value.Scale;
        if (BitConverter.IsLittleEndian && scale <= OrderDecimal.Scale && !decimal.IsNegative(value))
        {
            // The bits read in place: a decimal is laid out as the OLE DECIMAL it marshals to unchanged (flags, the high
            // 32 bits, the low 64 bits). decimal.GetBits into a stackalloc'd span cost 6-25% more per TryEnqueue on the
            // spool (three alternating runs of spool-thread 20, 2026-12-08). The test comparing this with the server's
            // rule over 20,000 random decimals fails if the layout ever changes.
            ref var first = ref Unsafe.As<decimal, ulong>(ref value);
            if (first >> 32 == 0)
            {
                var units = Unsafe.Add(ref first, 1);
                return units != 0 && units <= MaxUnitsAtScale[scale];
            }
        }
        return value > 0 && value <= OrderDecimal.MaxValue && OrderDecimal.FitsScale(value);
    }

    // The largest number of units of 10^-scale not above OrderDecimal.MaxValue, for scales 0 to OrderDecimal.Scale: the
    // maximum's units at the last scale, a tenth of them (rounded down) for each scale before it.
    private static readonly ulong[] MaxUnitsAtScale = MaxUnitsByScale();

    private static ulong[] MaxUnitsByScale()
    {
        var byScale = new ulong[OrderDecimal.Scale + 1];
        var units = (ulong)OrderDecimal.ToUnits(OrderDecimal.MaxValue);
        for (var scale = OrderDecimal.Scale; scale >= 0; scale--, units /= 10) byScale[scale] = units;
        return byScale;
    }

    internal static bool IsClientOrderId(string id)
    {
        if (id.Length is < 1 or > OrderValidator.MaxClientOrderIdLength) return false;
        foreach (var c in id)
        {
            if (c is <= ' ' or > '~') return false;
        }
        return true;
    }
}

/// <summary>What <see cref="OrderSender.TryEnqueue(in OutgoingOrder)"/> did with an order: accepted it, or why not.</summary>
public enum EnqueueStatus
{
    /// <summary>The order is buffered (with a spool: written to the spool, where it survives the process being killed).</summary>
    Accepted = 0,
    /// <summary>
    /// The memory buffer holds <see cref="OrderSenderOptions.MaxBufferedOrders"/>
    /// orders not yet acknowledged; try again, or use EnqueueAsync to wait. With a spool: the producers have filled the
    /// segments its thread maps ahead of them (at least two, 131,072 orders by default) faster than it maps more, though the spool
    /// has room; it passes once that thread has mapped the next segment.
    /// </summary>
    BufferFull,
    /// <summary>
    /// The spool holds <see cref="OrderSenderOptions.MaxSpoolBytes"/> of orders not yet acknowledged; nothing accepted before is affected.
    /// </summary>
    SpoolFull,
    /// <summary>The spool's disk has no room for another segment; nothing accepted before is affected.</summary>
    DiskFull,
    /// <summary>The sender is stopping or stopped (disposed, or the server refused the key: see <see cref="OrderSender.StopReason"/>).</summary>
    Stopped,
    /// <summary>The order breaks the server's rules; <see cref="OutgoingOrder.Explain"/> says how. It was not buffered.</summary>
    Invalid,
}
