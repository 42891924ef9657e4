namespace OrderFunctions.Http;

/// <summary>How the wait for the order named by <c>If-Order-Stored</c> ended (<see cref="PrecedingOrderWaiter"/>).</summary>
public enum PrecedingOrderOutcome
{
    /// <summary>The order is stored: this request may be stored now.</summary>
    Stored,

    /// <summary>The order was not stored within <c>OrderStorage:PrecedingOrderWait</c>: 412, nothing written.</summary>
    NotStored,

    /// <summary>The application began to stop while waiting: 503 "the service is shutting down", nothing written.</summary>
    ShuttingDown,

    /// <summary>
    /// Too many orders already wait for the orders they follow (<c>OrderStorage:MaxQueuedOrders</c>): 503 at once,
    /// nothing written.
    /// </summary>
    TooManyWaiting,
}
