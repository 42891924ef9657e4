using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// The wait behind <c>If-Order-Stored</c>: looks the named order up and, while it is not stored, looks again after a
/// short pause (1 ms, doubling up to 10 ms) until it is or <see cref="OrderStorageOptions.PrecedingOrderWait"/> has
/// passed. A stored order stays stored, so a request queued for writing only after its predecessor became visible is
/// committed after it: on SQLite's one writer and across PostgreSQL instances alike, with no change to the write path.
/// </summary>
/// <remarks><paramref name="time"/> measures the wait and its pauses (the system clock unless a test gives a fake one).</remarks>
public sealed class PrecedingOrderWaiter(IOrderQueries queries, IOptions<OrderStorageOptions> options,
    IHostApplicationLifetime? lifetime = null, TimeProvider? time = null)
{
    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(10);

    private readonly TimeSpan _wait = options.Value.PrecedingOrderWait;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly AdmissionBudget _waiting = new(options.Value.MaxQueuedOrders);

    /// <summary>Orders of the requests waiting now.</summary>
    public long WaitingOrders => _waiting.Held;

    /// <summary>The Retry-After of the 503 when the wait ends because the application is stopping or too many orders wait.</summary>
    public TimeSpan RetryAfter { get; } = TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    /// <summary>
    /// Waits for the order <paramref name="clientOrderId"/> of <paramref name="username"/> to be stored. Throws
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> (the request) is cancelled.
    /// </summary>
    /// <exception cref="OrderStoreUnavailableException">The store cannot be read now.</exception>
    public async Task<PrecedingOrderOutcome> WaitAsync(string username, string clientOrderId, int orders, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        if (stopping.IsCancellationRequested) return PrecedingOrderOutcome.ShuttingDown;
        if (await LookUpAsync(username, clientOrderId, stopping, cancellationToken).ConfigureAwait(false) is { } first) return first;

        // What waits here holds its parsed orders: bounded like the write queue's orders, so a flood of requests naming
        // orders that never come cannot hold memory without limit (each would otherwise wait the whole PrecedingOrderWait).
        if (!_waiting.TryTake(orders)) return PrecedingOrderOutcome.TooManyWaiting;
        try
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping);
            var pause = FirstPause;
            while (_time.GetElapsedTime(started) is var elapsed && elapsed < _wait)
            {
                var left = _wait - elapsed;
                try
                {
                    await Task.Delay(pause < left ? pause : left, _time, waiting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return PrecedingOrderOutcome.ShuttingDown;
                }
                if (await LookUpAsync(username, clientOrderId, stopping, cancellationToken).ConfigureAwait(false) is { } found) return found;
                if (pause < LongestPause) pause = pause * 2 < LongestPause ? pause * 2 : LongestPause;
            }
            return PrecedingOrderOutcome.NotStored;
        }
        finally
        {
            _waiting.Give(orders);
        }
    }

    // Stored, or null to go on waiting. A lookup that fails once the application is stopping answers ShuttingDown: the
    // host may dispose the store's read side under a request it did not drain (TestServer never drains, a stop timeout
    // may not), and this request has queued nothing, so "nothing was written" holds. Failures before the stop propagate.
    private async Task<PrecedingOrderOutcome?> LookUpAsync(string username, string clientOrderId, CancellationToken stopping,
        CancellationToken cancellationToken)
    {
        try
        {
            return await queries.IsStoredAsync(username, clientOrderId, cancellationToken).ConfigureAwait(false)
                ? PrecedingOrderOutcome.Stored
                : null;
        }
        catch (Exception) when (stopping.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return PrecedingOrderOutcome.ShuttingDown;
        }
    }
}
