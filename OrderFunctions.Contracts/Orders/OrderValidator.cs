using System.Globalization;

namespace OrderFunctions.Orders;

/// <summary>Turns an <see cref="OrderRequest"/> into an <see cref="Order"/>, or says what is wrong with each field.</summary>
public static class OrderValidator
{
    public const int MaxUsernameLength = 64;
    public const int MaxMarketLength = 32;
    public const int MaxClientOrderIdLength = 64;

    // ISO 8601 as traders send it: 'T' or a space between date and time (Python's str(datetime) uses a space),
    // seconds and up to 7 fraction digits optional, an offset or Z optional (none means UTC).
    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mmK",
    ];

    public const string TimestampMessage =
        "must be an ISO 8601 date and time such as 2026-11-27T10:15:30.123Z (no offset means UTC)";
    public const string SideMessage = "must be \"buy\" or \"sell\"";
    public const string MarketMessage = "must be letters, digits and . - / _ : only, starting with a letter or digit";
    public const string ClientOrderIdMessage = "must be 1 to 64 visible ASCII characters";
    public static readonly string PrecisionMessage =
        $"must have at most {OrderDecimal.IntegerDigits} digits before and {OrderDecimal.Scale} after the decimal point";

    /// <summary>
    /// Validates one order; errors are keyed by field, prefixed <c>[index].</c> when <paramref name="index"/> is the
    /// order's position in a batch (-1: a lone order). Returns null when any field is wrong.
    /// </summary>
    public static Order? Validate(OrderRequest request, ValidationErrors errors, int index = -1) =>
        Validate(request, errors, index, receivedAt: null, storedBy: null);

    /// <summary>
    /// The same, the valid order carrying the server's audit trail (<see cref="Order.ReceivedAt"/>,
    /// <see cref="Order.StoredBy"/>): built once, instead of once here and again by a <c>with</c> copy per order.
    /// </summary>
    internal static Order? Validate(OrderRequest request, ValidationErrors errors, int index, DateTime? receivedAt, string? storedBy)
    {
        var valid = true;

        DateTime timestamp = default;
        if (request.Timestamp is null) valid = Fail(errors, index, "timestamp", "is required");
        else if (!TryParseTimestamp(request.Timestamp, out timestamp)) valid = Fail(errors, index, "timestamp", TimestampMessage);

        if (CheckUsername(request.Username) is { } usernameError) valid = Fail(errors, index, "username", usernameError);

        if (CheckName(request.Market, MaxMarketLength) is { } marketError) valid = Fail(errors, index, "market", marketError);
        else if (!IsMarketSymbol(request.Market!)) valid = Fail(errors, index, "market", MarketMessage);

        var side = OrderSide.Normalize(request.Side);
        if (request.Side is null) valid = Fail(errors, index, "side", "is required");
        else if (side is null) valid = Fail(errors, index, "side", SideMessage);

        if (CheckAmount(request.Size) is { } sizeError) valid = Fail(errors, index, "size", sizeError);
        if (CheckAmount(request.Price) is { } priceError) valid = Fail(errors, index, "price", priceError);

        if (request.ClientOrderId is { } id && !IsClientOrderId(id)) valid = Fail(errors, index, "clientOrderId", ClientOrderIdMessage);

        return valid
            ? new Order(
                timestamp,
                request.Username!,
                request.Market!,
                side!,
                OrderDecimal.Normalize(request.Size!.Value),
                OrderDecimal.Normalize(request.Price!.Value),
                request.ClientOrderId,
                receivedAt,
                storedBy)
            : null;
    }

    /// <summary>
    /// Parses an ISO 8601 timestamp to UTC; one without an offset is taken as UTC. The instant must lie within
    /// 0001-01-01T00:00:00Z..9999-12-31T23:59:59.9999999Z: DateTimeOffset refuses a local time whose offset puts it
    /// outside (DateTime's AdjustToUniversal instead clamped 0001-01-01T00:00+00:01 to a day later).
    /// </summary>
    public static bool TryParseTimestamp(string text, out DateTime utc)
    {
        if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var instant))
        {
            utc = instant.UtcDateTime;
            return true;
        }
        utc = default;
        return false;
    }

    /// <summary>What is wrong with <paramref name="username"/> by the rule an order's username follows; null when nothing.</summary>
    public static string? CheckUsername(string? username) => CheckName(username, MaxUsernameLength);

    /// <summary>True for a clientOrderId by the rule an order's follows (<see cref="ClientOrderIdMessage"/>).</summary>
    public static bool IsClientOrderId(string id) =>
        id.Length is >= 1 and <= MaxClientOrderIdLength && id.All(c => c is > ' ' and <= '~');

    private static string? CheckName(string? value, int maxLength) => value switch
    {
        null => "is required",
        "" => "must not be empty",
        _ when string.IsNullOrWhiteSpace(value) => "must not be blank",
        _ when value.Length > maxLength => $"must be at most {maxLength} characters",
        _ when value.Any(char.IsControl) => "must not contain control characters",
        _ => null,
    };

    private static string? CheckAmount(decimal? value) => value switch
    {
        null => "is required",
        <= 0 => "must be greater than 0",
        > OrderDecimal.MaxValue => PrecisionMessage,
        { } v when !OrderDecimal.FitsScale(v) => PrecisionMessage,
        _ => null,
    };

    /// <summary>True for a market symbol: ASCII letters, digits and . - / _ : only, starting with a letter or digit.</summary>
    public static bool IsMarketSymbol(string market)
    {
        if (!char.IsAsciiLetterOrDigit(market[0])) return false;
        foreach (var c in market)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '-' or '/' or '_' or ':')) return false;
        }
        return true;
    }

    // A field the reader already reported (wrong type, repeated) is not reported again as missing.
    private static bool Fail(ValidationErrors errors, int index, string field, string message)
    {
        if (!errors.Contains(index, field)) errors.Add(index, field, message);
        return false;
    }
}
