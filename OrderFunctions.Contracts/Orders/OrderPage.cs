namespace OrderFunctions.Orders;

/// <summary>One page of a listing: <see cref="Next"/> is the cursor to pass back as <c>after</c>, null on the last page.</summary>
public sealed record OrderPage(IReadOnlyList<StoredOrder> Items, string? Next);
