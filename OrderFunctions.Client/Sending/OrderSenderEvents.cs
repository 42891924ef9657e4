namespace OrderFunctions.Client;

/// <summary>
/// An order the server refused for good (400 naming it, 409 on its clientOrderId, 413 on it alone): it was removed, the rest were sent.
/// </summary>
public sealed class OrderRejectedEventArgs(OutgoingOrder order, OrderProblem problem) : EventArgs
{
    /// <summary>The order, with the clientOrderId it was sent with.</summary>
    public OutgoingOrder Order { get; } = order;

    /// <summary>The server's problem, narrowed to this order (its field errors without the <c>[i].</c> prefix).</summary>
    public OrderProblem Problem { get; } = problem;
}

/// <summary>The sender stopped sending on its own: the server refused the key (401/403) or the URL (404, 405, 415).</summary>
public sealed class OrderSenderStoppedEventArgs(string reason, OrderProblem? problem, long ordersLeft, string? spoolDirectory, int status = 0)
    : EventArgs
{
    /// <summary>The HTTP status that stopped it (401, 403, 404...; a 2xx that was not the stored orders), or 0.</summary>
    public int Status { get; } = status;

    /// <summary>Why, in words.</summary>
    public string Reason { get; } = reason;
    /// <summary>The server's answer.</summary>
    public OrderProblem? Problem { get; } = problem;
    /// <summary>Orders accepted but not acknowledged: in <see cref="SpoolDirectory"/> when there is one, else only in memory.</summary>
    public long OrdersLeft { get; } = ordersLeft;
    /// <summary>The spool directory, or null (memory only).</summary>
    public string? SpoolDirectory { get; } = spoolDirectory;
}

/// <summary>What stopping the sender left behind.</summary>
/// <param name="OrdersLeft">Orders accepted but not acknowledged by the server.</param>
/// <param name="SpoolDirectory">Where they are (the next sender on it sends them), or null: memory only, so they are lost.</param>
/// <param name="StopReason">Why the sender had stopped on its own (a refused key), or null.</param>
public sealed record OrderSenderDrainResult(long OrdersLeft, string? SpoolDirectory, string? StopReason)
{
    /// <summary>Nothing was left.</summary>
    public bool Drained => OrdersLeft == 0;

    /// <summary>What was left and where, in one sentence.</summary>
    public override string ToString() => OrdersLeft == 0
        ? "every accepted order was acknowledged by the server"
        : SpoolDirectory is not null
            ? $"{OrdersLeft} orders were not acknowledged; they remain in the spool {SpoolDirectory} and are sent by the next sender that opens it"
            : $"{OrdersLeft} orders were not acknowledged and are lost (no spool directory)";
}
