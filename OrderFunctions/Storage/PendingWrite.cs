using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace OrderFunctions.Storage;

/// <summary>
/// One request waiting for the writer: the engine's prepared form of its orders, and the awaitable its caller waits
/// on. Pooled, so a single-order request allocates no task and no wrapper of its own on the way to the disk and back.
/// Only the queue reads and writes it; the engine sees <see cref="Prepared"/> alone.
/// </summary>
internal sealed class PendingWrite<TPrepared> : WriterCommand, IValueTaskSource
{
    private static readonly ConcurrentQueue<PendingWrite<TPrepared>> Pool = new();
    private const int MaxPooled = 4096;

    // Continuations run where the write is completed: CompleteAll hands a whole commit's requests to one thread-pool
    // work item, which resumes them one after another, instead of one work item (and thread wake-up) per request.
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = false };

    private PendingWrite()
    {
    }

    public TPrepared Prepared { get; private set; } = default!;

    /// <summary>Orders in the request.</summary>
    public int Count { get; private set; }

    /// <summary>What the engine returned for this request; set by the queue before the caller resumes.</summary>
    public WriteResult Result { get; set; }

    /// <summary>Set by the queue when the engine refused this request alone (<see cref="WriteResult.Refused"/>).</summary>
    public Exception? Error { get; set; }

    /// <summary>The trace context of the request that queued this write (default when none is traced).</summary>
    public ActivityContext Caller { get; private set; }

    public static PendingWrite<TPrepared> Rent(TPrepared prepared, int count)
    {
        var pending = Pool.TryDequeue(out var pooled) ? pooled : new PendingWrite<TPrepared>();
        pending.Prepared = prepared;
        pending.Count = count;
        pending.Caller = Activity.Current?.Context ?? default;
        return pending;
    }

    public ValueTask Task => new(this, _core.Version);

    /// <summary>Forgets the prepared form once the engine has released it.</summary>
    public void Released() => Prepared = default!;

    /// <summary>
    /// Completes every write of a commit (or fails them with <paramref name="error"/>) on one thread-pool thread, so
    /// the writer thread never runs request code and a commit costs one hand-off, not one per request; then calls
    /// <paramref name="done"/>, once every caller has resumed.
    /// </summary>
    public static void CompleteAll(List<PendingWrite<TPrepared>> batch, Exception? error, Action? done = null,
        PendingWrite<TPrepared>? except = null)
    {
        var writes = except is null ? batch.ToArray() : batch.Where(w => w != except).ToArray();
        // Stryker disable once Boolean : equivalent, preferLocal only picks the thread pool's queue
        ThreadPool.UnsafeQueueUserWorkItem(static state =>
        {
            var (writes, error, done) = state;
            try
            {
                foreach (var write in writes) write.Complete(error);
            }
            finally
            {
                done?.Invoke(); // after every caller has resumed (continuations run inline, above)
            }
        }, (writes, error, done), preferLocal: false);
    }

    /// <summary>Completes this write on the calling thread (a leader's own request, before it awaits).</summary>
    public void Complete(Exception? error)
    {
        error ??= Error;
        if (error is null)
        {
            // Stryker disable once Boolean : equivalent, the value is never read (callers await a non-generic ValueTask)
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(error);
        }
    }

    /// <summary>Back to the pool; call after the awaiting caller has read its result.</summary>
    public void Return()
    {
        Prepared = default!;
        Count = 0;
        Caller = default;
        Result = default;
        Error = null;
        _core.Reset();
        // Stryker disable once all : equivalent, the pool's size only decides how much the collector does
        if (Pool.Count < MaxPooled) Pool.Enqueue(this);
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _core.OnCompleted(continuation, state, token, flags);
}
