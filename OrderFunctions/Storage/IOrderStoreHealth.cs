namespace OrderFunctions.Storage;

/// <summary>Whether the order store can take orders now: what <c>GET /API/health</c> reports.</summary>
public interface IOrderStoreHealth
{
    /// <summary>Checks the store; never throws for a store fault, it reports it.</summary>
    Task<StoreHealth> CheckAsync(CancellationToken cancellationToken = default);
}
