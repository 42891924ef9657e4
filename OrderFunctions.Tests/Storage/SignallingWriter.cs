using OrderFunctions.Storage;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage;

/// <summary>An engine that calls <c>entered</c> as each batch reaches it, before writing it: a signal that the writer
/// thread has taken the batch out of the queue.</summary>
internal sealed class SignallingWriter(IOrderBatchWriter inner, Action entered) : IOrderBatchWriter
{
    public void Open() => inner.Open();

    public void Write(IReadOnlyList<PendingWrite> batch)
    {
        entered();
        inner.Write(batch);
    }

    public void Reset() => inner.Reset();

    public string? DescribeFault(Exception exception) => inner.DescribeFault(exception);

    public void Dispose() => inner.Dispose();
}
