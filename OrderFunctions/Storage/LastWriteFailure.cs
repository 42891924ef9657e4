namespace OrderFunctions.Storage;

/// <summary>
/// Why the writer's last transaction (or its last connection attempt) failed, null once a transaction commits: set by
/// the write queue, read by <see cref="OrderStoreHealth"/>, which clears it once a probe shows the store writable again.
/// </summary>
public sealed class LastWriteFailure
{
    private volatile string? _reason;

    /// <summary>The cause in words a client may read, or null when the last transaction committed.</summary>
    public string? Reason => _reason;

    public void Failed(string reason) => _reason = reason;

    public void Committed() => _reason = null;

    /// <summary>Forgets <paramref name="reason"/>, unless a newer failure replaced it meanwhile.</summary>
    public void Clear(string reason) => Interlocked.CompareExchange(ref _reason, null, reason);
}
