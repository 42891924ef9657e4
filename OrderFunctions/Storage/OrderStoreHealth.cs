using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage;

/// <summary>
/// Healthy when the engine's probe answers and the writer's last transaction did not fail. After a failure the writer
/// reconnects and the probe must also prove a write, so health recovers with the store even when no order arrives.
/// </summary>
public sealed class OrderStoreHealth(OrderWriteQueue queue, LastWriteFailure lastFailure, IOrderStoreProbe probe,
    IOptions<OrderStorageOptions> options) : IOrderStoreHealth
{
    private readonly TimeSpan _retryAfter = TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    public async Task<StoreHealth> CheckAsync(CancellationToken cancellationToken = default)
    {
        var failure = lastFailure.Reason;
        // After a failure, health retries the store itself (the writer reconnects), so it heals without an order.
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        if (failure is not null && await queue.ReconnectAsync(cancellationToken).ConfigureAwait(false) is { } reconnect)
        {
            return new StoreHealth(reconnect, _retryAfter);
        }
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        var problem = await probe.ProbeAsync(proveWrite: failure is not null, cancellationToken).ConfigureAwait(false);
        if (problem is null && failure is not null) lastFailure.Clear(failure);
        return new StoreHealth(problem, _retryAfter);
    }
}
