namespace OrderFunctions.Telemetry;

/// <summary>Why a request to store orders was refused: the <c>reason</c> tag of <c>orders.rejected</c>.</summary>
public enum RejectReason
{
    /// <summary>400 or 415: the body is not orders, or an order breaks a rule.</summary>
    Validation,

    /// <summary>409: a client order id was used before for a different order.</summary>
    Conflict,

    /// <summary>413: the body is over the limit.</summary>
    TooLarge,

    /// <summary>503: the store cannot take orders now.</summary>
    Unavailable,

    /// <summary>401 or 403: no known caller, or a caller acting beyond its operations or usernames.</summary>
    Forbidden,

    /// <summary>412: the order named by <c>If-Order-Stored</c> was not stored within the wait.</summary>
    PreconditionFailed,
}
