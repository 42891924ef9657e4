using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Storage;

/// <summary>
/// Group commit for any engine: requests queue up (bounded; a full queue answers unavailable at once), one writer
/// thread per process takes everything waiting and hands it to the engine's <see cref="IOrderBatchWriter"/>, which
/// writes it in one transaction; only then is each request completed. An idle writer commits a lone order at once;
/// under load batches grow by themselves. A failed transaction fails exactly the requests in it. A graceful stop
/// takes no new request and returns once every accepted one has been answered.
/// </summary>
public sealed partial class OrderWriteQueue : IOrderRepository, IHostedService, IDisposable
{
    private readonly IOrderBatchWriter _engine;
    private readonly OrderStorageOptions _options;
    private readonly ILogger<OrderWriteQueue> _logger;
    private readonly Channel<PendingWrite> _queue;
    private readonly Lazy<Thread> _writer;
    private readonly TaskCompletionSource _writerStopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    // Set once the writer has stopped and every commit's completions have run: what a graceful stop waits for.
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action _completionDone;
    // The idle writer sleeps on this (no spinning, see WaitForWork); the request that wakes it sets it.
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly Action _setWake;
    private int _completionsInFlight;
    private readonly TimeSpan _retryAfter;
    private readonly OrderMetrics? _metrics;
    private readonly string _engineName;

    // A commit span links the requests it carries (the first is its parent); past this many the rest are counted only.
    private const int MaxLinkedRequests = 32;

    // Why the writer's last transaction (or its first connection) failed; null once a transaction commits.
    private volatile string? _lastWriteFailure;

    public OrderWriteQueue(IOrderBatchWriter engine, IOptions<OrderStorageOptions> options, ILogger<OrderWriteQueue> logger,
        OrderMetrics? metrics = null)
    {
        _metrics = metrics;
        _engineName = OrderStoreProvider.IsPostgres(options.Value.Provider) ? "postgresql" : "sqlite"; // OpenTelemetry db.system.name values
        _engine = engine;
        _options = options.Value;
        _logger = logger;
        _retryAfter = TimeSpan.FromSeconds(_options.RetryAfterSeconds);
        _queue = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the caller answers 503
            // The request that finds the writer idle wakes it itself (the writer thread blocks in the wait below),
            // instead of queueing the wake-up to the thread pool: one hand-off per lone order fewer. Nothing else
            // waits on this channel: writers only TryWrite, and the one reader is the writer thread.
            AllowSynchronousContinuations = true,
        });
        _writer = new Lazy<Thread>(StartWriter, LazyThreadSafetyMode.ExecutionAndPublication);
        _completionDone = CompletionDone;
        _setWake = _wake.Set;
        _metrics?.ObserveWriteQueue(() => _queue.Reader.Count);
    }

    /// <summary>Requests waiting for the writer now (for health and diagnostics).</summary>
    public int QueueLength => _queue.Reader.Count;

    /// <summary>Why the last transaction failed, or null when it committed (read by <see cref="OrderStoreHealth"/>).</summary>
    public string? LastWriteFailure => _lastWriteFailure;

    /// <summary>Forgets <paramref name="failure"/> once a probe has shown the store writable again, unless a newer one replaced it.</summary>
    public void ClearWriteFailure(string failure) => Interlocked.CompareExchange(ref _lastWriteFailure, null, failure);

    public async Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default)
    {
        var pending = PendingWrite.Rent(order, null);
        Prepare(pending);
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var result = pending.SingleResult;
        pending.Return();
        return result;
    }

    public async Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default)
    {
        if (orders.Count == 0) return [];
        var pending = PendingWrite.Rent(null, orders);
        Prepare(pending);
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var results = pending.ManyResults!;
        pending.Return();
        return results;
    }

    // On the caller's thread, so the one writer thread does less per order.
    private void Prepare(PendingWrite pending)
    {
        try
        {
            _engine.Prepare(pending);
        }
        catch
        {
            pending.Return();
            throw;
        }
    }

    // Once queued, a write is not cancelled: the order may reach the disk whether or not the caller still listens,
    // and the caller's retry with the same client order id finds it.
    private ValueTask EnqueueAndWait(PendingWrite pending)
    {
        _ = _writer.Value;
        if (!_queue.Writer.TryWrite(pending))
        {
            pending.Return();
            var reason = _queue.Reader.Completion.IsCompleted || _writerStopped.Task.IsCompleted
                ? "the service is shutting down"
                : "too many orders are waiting to be written";
            throw new OrderStoreUnavailableException(reason, _retryAfter);
        }
        return pending.Task;
    }

    /// <summary>
    /// Has the writer thread connect again if a fault dropped its connection, as it does at start (for SQLite: open the
    /// file, creating it and its schema when missing), and answers null once connected, else the cause. Health calls
    /// it after a failed write, so the store recovers without waiting for an order to prove it.
    /// </summary>
    public async Task<string?> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        var request = PendingWrite.Rent(null, []); // no orders: the writer connects and writes nothing
        try
        {
            // A caller that stops waiting leaves the request to the writer; it is then not returned to the pool.
            await EnqueueAndWait(request).AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OrderStoreUnavailableException ex)
        {
            return ex.Message;
        }
        request.Return();
        return null;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _writer.Value;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops taking orders, then waits until every order already accepted has been committed and its caller has been
    /// answered: completions run on a thread-pool work item after the commit, and the stop waits for those too.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_writer.IsValueCreated)
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void Complete(List<PendingWrite> batch, Exception? error)
    {
        Interlocked.Increment(ref _completionsInFlight);
        PendingWrite.CompleteAll(batch, error, _completionDone);
    }

    // The writer stops counting up before _writerStopped is set, so whichever of the two sees zero last signals.
    private void CompletionDone()
    {
        if (Interlocked.Decrement(ref _completionsInFlight) == 0 && _writerStopped.Task.IsCompleted) _drained.TrySetResult();
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        if (_writer.IsValueCreated) _writer.Value.Join();
        _wake.Dispose();
    }

    private Thread StartWriter()
    {
        try
        {
            _engine.Open();
        }
        catch (Exception ex) when (_engine.DescribeFault(ex) is { } reason)
        {
            // Not fatal: the writer retries on the next batch, so the service recovers once the fault clears.
            _lastWriteFailure = reason;
            LogStoreUnavailable(reason, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            _engine.Reset();
        }
        var thread = new Thread(WriterLoop) { IsBackground = true, Name = "order-writer" };
        thread.Start();
        return thread;
    }

    private void WriterLoop()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingWrite>();
        List<PendingWrite>? reconnects = null;
        try
        {
            while (WaitForWork(reader))
            {
                var orders = 0;
                while (orders < _options.MaxOrdersPerTransaction && reader.TryRead(out var pending))
                {
                    if (pending.Count == 0)
                    {
                        (reconnects ??= []).Add(pending);
                        continue;
                    }
                    batch.Add(pending);
                    orders += pending.Count;
                }
                if (batch.Count > 0) CommitBatch(batch);
                batch.Clear();
                if (reconnects is { Count: > 0 })
                {
                    Reconnect(reconnects);
                    reconnects.Clear();
                }
            }
        }
        finally
        {
            _engine.Reset();
            _writerStopped.TrySetResult();
            if (Volatile.Read(ref _completionsInFlight) == 0) _drained.TrySetResult();
        }
    }

    // Blocks the writer thread until a request is queued (true) or the queue is completed and empty (false), without
    // spinning first: Task.Wait spins and yields before it sleeps, which on two cores takes the CPU from the requests
    // the writer is waiting for, and counts as a context switch per yield.
    private bool WaitForWork(ChannelReader<PendingWrite> reader)
    {
        var wait = reader.WaitToReadAsync();
        if (!wait.IsCompleted)
        {
            _wake.Reset();
            wait.GetAwaiter().UnsafeOnCompleted(_setWake);
            _wake.Wait();
        }
        return wait.GetAwaiter().GetResult();
    }

    private void Reconnect(List<PendingWrite> requests)
    {
        Exception? error = null;
        try
        {
            _engine.Open();
        }
        catch (Exception ex)
        {
            var reason = _engine.DescribeFault(ex) ?? "the store could not be opened";
            _lastWriteFailure = reason;
            LogStoreUnavailable(reason, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            _engine.Reset();
            error = new OrderStoreUnavailableException(reason, _retryAfter, ex);
        }
        Complete(requests, error);
    }

    private void CommitBatch(List<PendingWrite> batch)
    {
        var orders = 0;
        foreach (var pending in batch) orders += pending.Count;
        using var activity = StartCommitActivity(batch, orders);
        var started = Stopwatch.GetTimestamp();
        try
        {
            _engine.Write(batch);
            _metrics?.Committed(orders, Stopwatch.GetElapsedTime(started));
            _lastWriteFailure = null;
            Complete(batch, null);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, _engine.DescribeFault(ex) ?? ex.GetType().Name);
            var reason = _engine.DescribeFault(ex);
            _lastWriteFailure = reason ?? ex.GetType().Name;
            if (reason is null)
            {
                LogWriteFailedUnexpectedly(ex, batch.Count); // not a store fault: a bug, answered 500, worth its stack
            }
            else
            {
                LogWriteFailed(batch.Count, reason, StoreFailureLog.Cause(ex));
                StoreFailureLog.Stack(_logger, ex);
            }
            _engine.Reset();
            // A store fault is answered 503 (retry later); anything else reaches the function as it is (500).
            var error = reason is null ? ex : new OrderStoreUnavailableException(reason, _retryAfter, ex);
            Complete(batch, error);
        }
    }

    // The commit as a span: a child of the first request it carries (so a lone order's trace shows its commit), linked
    // to the others. Nothing is allocated unless a listener (an exporter) samples it.
    private Activity? StartCommitActivity(List<PendingWrite> batch, int orders)
    {
        if (!OrderTelemetry.ActivitySource.HasListeners()) return null;
        var parent = default(ActivityContext);
        List<ActivityLink>? links = null;
        foreach (var pending in batch)
        {
            if (pending.Caller == default) continue;
            if (parent == default) parent = pending.Caller;
            else if ((links ??= []).Count < MaxLinkedRequests) links.Add(new ActivityLink(pending.Caller));
        }
        var activity = OrderTelemetry.ActivitySource.StartActivity(OrderTelemetry.CommitActivityName, ActivityKind.Internal, parent, links: links);
        activity?.SetTag("db.system.name", _engineName);
        activity?.SetTag("orders.count", orders);
        activity?.SetTag("orders.requests", batch.Count);
        return activity;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Order store unavailable: {Reason} ({Cause})")]
    private partial void LogStoreUnavailable(string reason, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Requests} requests failed and was answered 503: {Reason} ({Cause})")]
    private partial void LogWriteFailed(int requests, string reason, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Requests} requests failed unexpectedly")]
    private partial void LogWriteFailedUnexpectedly(Exception ex, int requests);
}
