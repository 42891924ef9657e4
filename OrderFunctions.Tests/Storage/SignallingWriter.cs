using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Storage;

/// <summary>An engine that calls <c>entered</c> as each batch reaches it, before writing it: a signal that the writer
/// thread has taken the batch out of the queue.</summary>
internal sealed class SignallingWriter<TPrepared>(IOrderBatchWriter<TPrepared> inner, Action entered) : IOrderBatchWriter<TPrepared>
{
    public string SystemName => inner.SystemName;

    public void Open() => inner.Open();

    public TPrepared Prepare(OrderWrite write) => inner.Prepare(write);

    public IReadOnlyList<WriteResult> Write(IReadOnlyList<TPrepared> batch)
    {
        entered();
        return inner.Write(batch);
    }

    public void Release(TPrepared prepared) => inner.Release(prepared);

    public void Reset() => inner.Reset();

    public string? DescribeFault(Exception exception) => inner.DescribeFault(exception);

    public void Dispose() => inner.Dispose();
}
