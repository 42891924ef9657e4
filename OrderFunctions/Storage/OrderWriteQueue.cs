using Microsoft.Extensions.Hosting;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// Group commit for any engine: requests queue up (bounded; a full queue answers unavailable at once), one writer
/// thread per process takes everything waiting and hands it to the engine, which writes it in one transaction; only
/// then is each request completed. An idle writer commits a lone order at once; under load batches grow by themselves.
/// A failed transaction fails exactly the requests in it. A graceful stop takes no new request and returns once every
/// accepted one has been answered. The implementation is <see cref="OrderWriteQueue{TPrepared}"/>, typed by the
/// engine's prepared form; this is what the rest of the app sees of it.
/// </summary>
public abstract class OrderWriteQueue : IOrderRepository, IHostedService, IDisposable
{
    private protected OrderWriteQueue()
    {
    }

    public abstract Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default);

    public abstract Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default);

    /// <summary>
    /// Has the writer thread connect again if a fault dropped its connection, as it does at start (for SQLite: open the
    /// file, creating it and its schema when missing), and answers null once connected, else the cause. Health calls
    /// it after a failed write, so the store recovers without waiting for an order to prove it.
    /// </summary>
    public abstract Task<string?> ReconnectAsync(CancellationToken cancellationToken = default);

    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Stops taking orders, then waits until every order already accepted has been committed and its caller has been
    /// answered: completions run on a thread-pool work item after the commit, and the stop waits for those too.
    /// </summary>
    public abstract Task StopAsync(CancellationToken cancellationToken);

    public abstract void Dispose();
}
