using System.Text.Json.Serialization;

namespace OrderClient;

/// <summary>An order as the server stored it (the body of a 201, a 200 replay or <c>GET /API/orders/{id}</c>).</summary>
public sealed record StoredOrder(
    long Id,
    string Timestamp,
    string Username,
    string Market,
    string Side,
    decimal Size,
    decimal Price,
    string? ClientOrderId = null);

/// <summary>One page of <c>GET /API/orders</c>: the orders and the cursor of the next page (null on the last).</summary>
public sealed record OrderPage(IReadOnlyList<StoredOrder> Items, string? Next = null);

/// <summary>
/// The body of <c>GET /API/orders/stats</c>: a page of markets, ordered by market, and the cursor of the next page
/// (null on the last; absent from a server that answers every market at once).
/// </summary>
public sealed record OrderStats(IReadOnlyList<MarketStats> Markets, string? Next = null);

/// <summary>Aggregates of one market.</summary>
public sealed record MarketStats(
    string Market,
    long Count,
    decimal BuyVolume,
    decimal SellVolume,
    decimal Notional,
    decimal? Vwap = null,
    decimal? MinPrice = null,
    decimal? MaxPrice = null,
    string? FirstTimestamp = null,
    string? LastTimestamp = null);

/// <summary>An RFC 9457 problem document as the server sends it; <see cref="Errors"/> holds validation errors.</summary>
public sealed record ApiProblem(
    string? Title,
    string? Detail,
    int? Status,
    IReadOnlyDictionary<string, string[]> Errors,
    [property: JsonIgnore] int? Index = null);
