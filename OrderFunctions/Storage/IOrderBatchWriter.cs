using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Storage;

/// <summary>
/// What one database engine supplies to the write queue, whatever form its prepared writes take: connecting, dropping
/// the connection after a fault, and naming a fault in words a client may read. Called only from the queue's writer
/// thread, one call at a time, so an implementation may keep one connection and its prepared statements without locks.
/// </summary>
public interface IOrderBatchWriter : IDisposable
{
    /// <summary>The engine as OpenTelemetry names it (<c>db.system.name</c>): <c>sqlite</c>, <c>postgresql</c>.</summary>
    string SystemName { get; }

    /// <summary>Connects (and creates the schema when missing) unless already connected.</summary>
    void Open();

    /// <summary>Drops the connection after a failure; the next <see cref="Open"/> or write makes a new one.</summary>
    void Reset();

    /// <summary>
    /// The cause of <paramref name="exception"/> in words a client may read (no SQL, no path, no stack) when it is a
    /// fault of the store that a retry may outlive (answered 503); null when it is not (answered 500).
    /// </summary>
    string? DescribeFault(Exception exception);

    /// <summary>The write queue over this engine, typed by the engine's prepared form.</summary>
    OrderWriteQueue CreateQueue(IServiceProvider services);
}

/// <summary>
/// An engine's writes: <see cref="Prepare"/> on the request's thread turns a request's orders into the engine's own
/// form (<typeparamref name="TPrepared"/>, owned by the engine), <see cref="Write"/> on the writer thread writes a
/// batch of them in one transaction and returns the results, and <see cref="Release"/> gives back whatever
/// <see cref="Prepare"/> rented. The queue calls <see cref="Release"/> exactly once for every prepared request, on
/// every path: written, failed, or refused before it was queued.
/// </summary>
public interface IOrderBatchWriter<TPrepared> : IOrderBatchWriter
{
    /// <summary>Computes the engine's form of <paramref name="write"/>. Must not touch the database.</summary>
    TPrepared Prepare(OrderWrite write);

    /// <summary>
    /// Writes every request of <paramref name="batch"/> in one transaction and returns one result per request, in
    /// batch order. A request of many orders lands whole or not at all. Throws when the transaction did not commit:
    /// then nothing of the batch was written. The list returned may be reused by the next call.
    /// </summary>
    IReadOnlyList<WriteResult> Write(IReadOnlyList<TPrepared> batch);

    /// <summary>Gives back what <see cref="Prepare"/> rented for <paramref name="prepared"/>.</summary>
    void Release(TPrepared prepared);

    OrderWriteQueue IOrderBatchWriter.CreateQueue(IServiceProvider services) =>
        ActivatorUtilities.CreateInstance<OrderWriteQueue<TPrepared>>(services, this);
}
