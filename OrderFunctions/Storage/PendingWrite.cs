using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using OrderFunctions.Orders;

namespace OrderFunctions.Storage;

/// <summary>
/// One request's orders waiting for the writer, and the awaitable its caller waits on. Pooled, so a single-order
/// request allocates no task, no result array and no wrapper of its own on the way to the disk and back. An engine's
/// <see cref="IOrderBatchWriter"/> reads <see cref="Single"/> or <see cref="Many"/> and fills in the results.
/// </summary>
public sealed class PendingWrite : IValueTaskSource
{
    private static readonly ConcurrentQueue<PendingWrite> Pool = new();
    private const int MaxPooled = 4096;

    // Continuations run where the write is completed: CompleteAll hands a whole commit's requests to one thread-pool
    // work item, which resumes them one after another, instead of one work item (and thread wake-up) per request.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };

    private PendingWrite() { }

    public Order? Single { get; private set; }
    public IReadOnlyList<Order>? Many { get; private set; }
    public int Count => Many?.Count ?? 1;

    /// <summary>The result for <see cref="Single"/>.</summary>
    public SaveResult SingleResult { get; set; }

    /// <summary>The results for <see cref="Many"/>, in input order.</summary>
    public SaveResult[]? ManyResults { get; set; }

    /// <summary>
    /// The engine's own form of the orders' values, computed by <see cref="IOrderBatchWriter.Prepare"/> on the request's
    /// thread and read by its writer; owned by the engine, forgotten when the write is returned to the pool.
    /// </summary>
    public object? Prepared { get; set; }

    /// <summary>The trace context of the request that queued this write (default when none is traced).</summary>
    public System.Diagnostics.ActivityContext Caller { get; private set; }

    internal static PendingWrite Rent(Order? single, IReadOnlyList<Order>? many)
    {
        var pending = Pool.TryDequeue(out var pooled) ? pooled : new PendingWrite();
        pending.Single = single;
        pending.Many = many;
        pending.Caller = System.Diagnostics.Activity.Current?.Context ?? default;
        return pending;
    }

    internal ValueTask Task => new(this, _core.Version);

    /// <summary>
    /// Completes every write of a commit (or fails them with <paramref name="error"/>) on one thread-pool thread, so
    /// the writer thread never runs request code and a commit costs one hand-off, not one per request; then calls
    /// <paramref name="done"/>, once every caller has resumed.
    /// </summary>
    internal static void CompleteAll(List<PendingWrite> batch, Exception? error, Action? done = null)
    {
        var writes = batch.ToArray();
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (writes, error, done) = state;
            try
            {
                foreach (var write in writes)
                {
                    if (error is null) write._core.SetResult(true);
                    else write._core.SetException(error);
                }
            }
            finally
            {
                done?.Invoke(); // after every caller has resumed (continuations run inline, above)
            }
        }, (writes, error, done), preferLocal: false);
    }

    /// <summary>Back to the pool; call after the awaiting caller has read its results.</summary>
    internal void Return()
    {
        Single = null;
        Many = null;
        Caller = default;
        ManyResults = null;
        Prepared = null;
        SingleResult = default;
        _core.Reset();
        if (Pool.Count < MaxPooled) Pool.Enqueue(this);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
