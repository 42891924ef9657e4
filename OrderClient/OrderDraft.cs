using System.Globalization;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>
/// An order about to be posted. Size and price are <see cref="decimal"/>, parsed with the invariant culture and written
/// as JSON numbers with every digit the user typed (decimal keeps its scale: "0.10" goes out as 0.10); never a double.
/// </summary>
public sealed record OrderDraft(
    string Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    string ClientOrderId)
{
    public const NumberStyles DecimalStyles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;

    /// <summary>Now, UTC, ISO 8601 with Z (the round-trip format: 7 fraction digits, which the server accepts).</summary>
    public static string TimestampNow(TimeProvider clock) =>
        clock.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>
    /// A fresh client order id: makes the POST idempotent, so the client may retry it. Version 7 (time-ordered), so the
    /// server's unique index on client order ids grows at its end instead of at random places (see SqliteOrderSchema).
    /// </summary>
    public static string NewClientOrderId() => Guid.CreateVersion7().ToString("N");

    public static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, DecimalStyles, CultureInfo.InvariantCulture, out value);

    /// <summary>The wire record the library posts: the timestamp as typed, decimals with every digit.</summary>
    public OrderRequest ToRequest() => new()
    {
        Timestamp = Timestamp,
        Username = Username,
        Market = Market,
        Side = Side,
        Size = Size,
        Price = Price,
        ClientOrderId = ClientOrderId,
    };
}
