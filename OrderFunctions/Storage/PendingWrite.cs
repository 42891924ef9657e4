using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// One request's orders waiting for the writer, and the awaitable its caller waits on. Pooled, so a single-order
/// request allocates no task, no result array and no wrapper of its own on the way to the disk and back.
/// </summary>
internal sealed class PendingWrite : IValueTaskSource
{
    private static readonly ConcurrentQueue<PendingWrite> Pool = new();
    private const int MaxPooled = 4096;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

    public Order? Single { get; private set; }
    public IReadOnlyList<Order>? Many { get; private set; }
    public int Count => Many?.Count ?? 1;

    /// <summary>The result for <see cref="Single"/>.</summary>
    public SaveResult SingleResult { get; set; }

    /// <summary>The results for <see cref="Many"/>, in input order.</summary>
    public SaveResult[]? ManyResults { get; set; }

    public static PendingWrite Rent(Order? single, IReadOnlyList<Order>? many)
    {
        var pending = Pool.TryDequeue(out var pooled) ? pooled : new PendingWrite();
        pending.Single = single;
        pending.Many = many;
        return pending;
    }

    public ValueTask Task => new(this, _core.Version);

    public void Complete() => _core.SetResult(true);

    public void Fail(Exception error) => _core.SetException(error);

    /// <summary>Back to the pool; call after the awaiting caller has read its results.</summary>
    public void Return()
    {
        Single = null;
        Many = null;
        ManyResults = null;
        SingleResult = default;
        _core.Reset();
        if (Pool.Count < MaxPooled) Pool.Enqueue(this);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
