namespace OrderFunctions.Storage;

/// <summary>The store's state: <see cref="Problem"/> is null when healthy, else the cause in words a client may read.</summary>
public readonly record struct StoreHealth(string? Problem, TimeSpan RetryAfter)
{
    public bool IsHealthy => Problem is null;
}
