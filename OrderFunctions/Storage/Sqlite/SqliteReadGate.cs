using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// Bounds the synchronous SQLite reads running at once (<see cref="SqliteOrderStoreOptions.MaxConcurrentReads"/>). SQLite
/// reads block the thread that runs them; unbounded, 32 clients looping on statistics held 32 thread-pool threads and
/// POSTs waited seconds for one. A read past the bound waits here asynchronously, holding no thread.
/// </summary>
public sealed class SqliteReadGate(IOptions<SqliteOrderStoreOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentReads, options.Value.MaxConcurrentReads);

    /// <summary>Slots free now.</summary>
    public int Free => _slots.CurrentCount;

    public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void Release() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
