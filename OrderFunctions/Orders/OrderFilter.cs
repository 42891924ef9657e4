namespace OrderFunctions.Orders;

/// <summary>
/// Which orders a query covers; null means any. <see cref="From"/> is inclusive and <see cref="To"/> exclusive, both
/// on the order's timestamp (UTC). <see cref="Side"/> is the stored form, "buy" or "sell". <see cref="StoredBy"/> is the
/// name of the caller that stored the order (the audit trail). <see cref="Scope"/>: only these usernames (the caller's
/// own, when the API has callers); null for any.
/// </summary>
public sealed record OrderFilter(
    string? Username = null,
    string? Market = null,
    string? Side = null,
    DateTime? From = null,
    DateTime? To = null,
    string? StoredBy = null,
    OrderFunctions.Access.UsernameScope? Scope = null);
