namespace OrderFunctions.Storage;

/// <summary>The store could not take the write (full queue, locked or read-only file, full disk); retry later.</summary>
public sealed class OrderStoreUnavailableException(string reason, TimeSpan retryAfter, Exception? inner = null)
    : Exception(reason, inner)
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
