namespace OrderFunctions.Storage;

/// <summary>
/// The store could not take the write (full queue, locked or read-only file, full disk); retry later. Nothing was
/// written, except when <see cref="OutcomeUnknown"/> is true: then the commit's answer was lost and the orders may be
/// stored.
/// </summary>
public sealed class OrderStoreUnavailableException(string reason, TimeSpan retryAfter, Exception? inner = null)
    : Exception(reason, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>True when the commit may have landed (<see cref="OrderCommitUnknownException"/>): resend with the same client order id.</summary>
    public bool OutcomeUnknown { get; init; }
}
