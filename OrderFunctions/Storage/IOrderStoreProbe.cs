namespace OrderFunctions.Storage;

/// <summary>What one database engine supplies to <see cref="OrderStoreHealth"/>: a quick check that the store answers.</summary>
public interface IOrderStoreProbe
{
    /// <summary>
    /// Null when the store answers a read (and, when <paramref name="proveWrite"/>, would take a write); else the cause
    /// in words a client may read. Never throws for a store fault, and answers quickly rather than waiting on locks.
    /// </summary>
    Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default);
}
