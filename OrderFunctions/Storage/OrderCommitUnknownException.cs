namespace OrderFunctions.Storage;

/// <summary>
/// Thrown by an engine's write when the connection failed during or after its COMMIT and the engine could not find out
/// within its budget whether the commit landed: the orders may or may not be stored. The queue answers 503 saying so;
/// a resend with the same client order id settles it (replayed when it landed, stored now when it did not).
/// </summary>
public sealed class OrderCommitUnknownException(string reason, Exception? inner = null) : Exception(reason, inner);
