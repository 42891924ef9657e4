namespace OrderFunctions.Storage;

/// <summary>
/// What one database engine supplies to <see cref="OrderWriteQueue"/>: the code that writes a batch of requests in one
/// transaction. Called only from the queue's writer thread, one call at a time, so an implementation may keep one
/// connection and its prepared statements without locks.
/// </summary>
public interface IOrderBatchWriter : IDisposable
{
    /// <summary>
    /// Called on the request's thread before <paramref name="pending"/> is queued, so the single writer thread has less
    /// to do: an engine may compute its own form of the orders' values here and keep it in
    /// <see cref="PendingWrite.Prepared"/> for <see cref="Write"/>. Must not touch the database. Does nothing by default.
    /// </summary>
    void Prepare(PendingWrite pending) { }

    /// <summary>Connects (and creates the schema when missing) unless already connected.</summary>
    void Open();

    /// <summary>
    /// Writes every request of <paramref name="batch"/> in one transaction and fills in each request's results
    /// (<see cref="PendingWrite.SingleResult"/> or <see cref="PendingWrite.ManyResults"/>). A request of many orders
    /// lands whole or not at all. Throws when the transaction did not commit: then nothing of the batch was written.
    /// </summary>
    void Write(IReadOnlyList<PendingWrite> batch);

    /// <summary>Drops the connection after a failure; the next <see cref="Open"/> or <see cref="Write"/> makes a new one.</summary>
    void Reset();

    /// <summary>
    /// The cause of <paramref name="exception"/> in words a client may read (no SQL, no path, no stack) when it is a
    /// fault of the store that a retry may outlive (answered 503); null when it is not (answered 500).
    /// </summary>
    string? DescribeFault(Exception exception);
}
