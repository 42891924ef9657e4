using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>An outcome and the stored order it concerns (for a conflict, the order stored first).</summary>
public readonly record struct SaveResult(SaveOutcome Outcome, StoredOrder Order);
