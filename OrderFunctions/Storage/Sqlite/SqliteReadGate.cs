using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Bounds the synchronous SQLite reads running at once (<see cref="SqliteOrderStoreOptions.MaxConcurrentReads"/>). SQLite
/// reads block the thread that runs them; unbounded, 32 clients looping on statistics held 32 thread-pool threads and
/// POSTs waited seconds for one. A read past the bound waits here asynchronously, holding no thread.
/// Not disposable on purpose: a <see cref="SemaphoreSlim"/> whose wait handle is never asked for holds nothing to free,
/// and disposing it with the host made a read still running at that moment (a host that does not drain its requests)
/// fail its <see cref="Release"/> with <see cref="ObjectDisposedException"/> after the read itself had succeeded.
/// </summary>
public sealed class SqliteReadGate(IOptions<SqliteOrderStoreOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentReads, options.Value.MaxConcurrentReads);

    /// <summary>Slots free now.</summary>
    public int Free => _slots.CurrentCount;

    public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void Release() => _slots.Release();
}
