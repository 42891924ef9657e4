namespace OrderFunctions.Client;

/// <summary>A request failed in a way worth retrying; the sender sends the same orders again after <see cref="RetryIn"/>.</summary>
public sealed class OrderSendFailedEventArgs(int status, string? reason, int attempt, TimeSpan retryIn, int orders) : EventArgs
{
    /// <summary>The HTTP status (408, 429, 5xx), or 0 when there was no answer (refused, reset, timed out).</summary>
    public int Status { get; } = status;

    /// <summary>Why, in words: the server's problem or the transport error (never the key).</summary>
    public string? Reason { get; } = reason;

    /// <summary>How many attempts of this batch have failed in a row (1 for the first).</summary>
    public int Attempt { get; } = attempt;

    /// <summary>How long the sender waits before the next attempt (backoff with jitter, at least the Retry-After).</summary>
    public TimeSpan RetryIn { get; } = retryIn;

    /// <summary>The orders in the failed request.</summary>
    public int Orders { get; } = orders;
}
