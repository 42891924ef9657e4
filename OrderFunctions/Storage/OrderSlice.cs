using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// A listing's orders as <see cref="IOrderQueries.ListSliceAsync"/> returns them: <paramref name="Orders"/> in ascending
/// id order, and, when the store held matching orders back because a commit below them could still become visible
/// (several PostgreSQL instances commit out of id order), <paramref name="HeldAbove"/>: the id through which the store
/// is settled. Every matching order with an id up to it (and above the cursor) is in <paramref name="Orders"/>, and no
/// order at or below it can appear later, so a cursor may move up to it. Null when nothing was held back.
/// </summary>
public sealed record OrderSlice(IReadOnlyList<StoredOrder> Orders, long? HeldAbove = null);
