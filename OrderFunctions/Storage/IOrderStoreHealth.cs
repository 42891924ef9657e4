namespace OrderFunctions.Storage;

/// <summary>Whether the order store can take orders now: what <c>GET /API/health</c> reports.</summary>
public interface IOrderStoreHealth
{
    /// <summary>Checks the store; never throws for a store fault, it reports it.</summary>
    Task<StoreHealth> CheckAsync(CancellationToken cancellationToken = default);
}

/// <summary>The store's state: <see cref="Problem"/> is null when healthy, else the cause in words a client may read.</summary>
public readonly record struct StoreHealth(string? Problem, TimeSpan RetryAfter)
{
    public bool IsHealthy => Problem is null;
}
