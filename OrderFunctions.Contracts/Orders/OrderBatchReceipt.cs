namespace OrderFunctions.Orders;

/// <summary>
/// The answer to a batch stored under <c>Prefer: return=minimal</c> (the server then sends
/// <c>Preference-Applied: return=minimal</c>): instead of every stored order, what proves the batch was stored whole.
/// <paramref name="Count"/> orders in the request, all stored: <paramref name="Created"/> now and <paramref name="Replayed"/>
/// before (same clientOrderId and content), so <c>Created + Replayed == Count</c>; <paramref name="FirstId"/> and
/// <paramref name="LastId"/> are the ids of the request's first and last order. The status is the full answer's: 201,
/// or 200 with <c>Idempotent-Replayed: true</c> when every order was stored before.
/// </summary>
public sealed record OrderBatchReceipt(int Count, int Created, int Replayed, long FirstId, long LastId);
