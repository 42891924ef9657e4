using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Storage;

/// <summary>
/// The write queue (see <see cref="OrderWriteQueue"/>) over an engine whose prepared form is
/// <typeparamref name="TPrepared"/>: the request's thread prepares, the queue carries the prepared form to the one
/// writer thread, the engine writes the batch and returns its results, and the queue gives every prepared form back
/// to the engine, written, failed or refused. With <see cref="OrderCommitMode.Leader"/> (an experiment) there is no
/// writer thread: the request that finds no commit under way commits the group on its own thread.
/// </summary>
public sealed partial class OrderWriteQueue<TPrepared> : OrderWriteQueue
{
    private readonly IOrderBatchWriter<TPrepared> _engine;
    private readonly OrderStorageOptions _options;
    private readonly ILogger<OrderWriteQueue> _logger;
    private readonly Channel<WriterCommand> _queue;
    private readonly Lazy<Thread?> _writer; // the writer thread (null in Leader mode), started with the engine's first open
    private readonly WriterDrain _drain = new();
    private readonly LastWriteFailure _failure;
    private readonly CommitTelemetry _telemetry;
    // The idle writer sleeps on this (no spinning, see WaitForWork); the request that wakes it sets it.
    // Stryker disable once Boolean : equivalent, WaitForWork resets it before every wait
    private readonly ManualResetEventSlim _wake = new(initialState: false, spinCount: 0);
    private readonly Action _setWake;
    private readonly TimeSpan _retryAfter;
    private readonly bool _leaderMode;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly TimeSpan _stopBudget;
    // After a stop that gave up, how long Dispose waits for a writer stalled in its commit before the process goes on without it.
    internal static readonly TimeSpan StalledWriterGrace = TimeSpan.FromSeconds(2);
    private int _leading; // Leader mode: 1 while a thread commits for the group
    // Orders accepted and not yet answered (queued, or in the commit under way): what the queue holds in memory.
    private readonly AdmissionBudget _queuedOrders;
    private int _givenUp; // 1 once the stop's budget ran out: whatever is still queued is refused, never written
    private int _closed; // 1 once the stop began: new requests are refused "shutting down", whatever is still queued
    private int _disposed; // 1 once Dispose ran: the container calls it once per registration (three of them)
    private Timer? _giveUpTimer;

    // Owned by the thread that commits (the writer thread, or the leader of the moment).
    private readonly List<PendingWrite<TPrepared>> _batch = [];
    private readonly List<TPrepared> _prepared = [];
    private readonly List<ReconnectCommand> _reconnects = [];

    public OrderWriteQueue(IOrderBatchWriter<TPrepared> engine, IOptions<OrderStorageOptions> options, ILogger<OrderWriteQueue> logger,
        LastWriteFailure? failure = null, OrderMetrics? metrics = null, IHostApplicationLifetime? lifetime = null,
        IOptions<HostOptions>? hostOptions = null)
    {
        _lifetime = lifetime;
        // The host's shutdown timeout less a margin: what is still queued then is answered 503 while the server still
        // waits for its requests, instead of being cut off when the host gives up on them.
        var shutdown = hostOptions?.Value.ShutdownTimeout ?? TimeSpan.FromSeconds(30);
        _stopBudget = shutdown - TimeSpan.FromSeconds(Math.Min(3, shutdown.TotalSeconds / 2));
        _engine = engine;
        _options = options.Value;
        _queuedOrders = new AdmissionBudget(_options.MaxQueuedOrders);
        _logger = logger;
        _failure = failure ?? new LastWriteFailure();
        _telemetry = new CommitTelemetry(engine.SystemName, metrics);
        _retryAfter = TimeSpan.FromSeconds(_options.RetryAfterSeconds);
        _leaderMode = _options.CommitMode == OrderCommitMode.Leader;
        // Stryker disable once Initializer,Boolean : equivalent, a bounded channel takes many readers whatever SingleReader says, FullMode.Wait is the default, synchronous continuations only pick the thread that wakes the writer
        _queue = Channel.CreateBounded<WriterCommand>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = false, // the writer, and a stop whose budget ran out (it refuses what is left)
            FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full: the caller answers 503
            // The request that finds the writer idle wakes it itself (the writer thread blocks in the wait below),
            // instead of queueing the wake-up to the thread pool: one hand-off per lone order fewer. Nothing else
            // waits on this channel: writers only TryWrite, and the one reader is the writer thread.
            AllowSynchronousContinuations = true,
        });
        _writer = new Lazy<Thread?>(StartWriter, LazyThreadSafetyMode.ExecutionAndPublication);
        _setWake = _wake.Set;
        metrics?.ObserveWriteQueue(() => _queue.Reader.Count, () => (int)_queuedOrders.Held);
    }

    /// <summary>Orders accepted and not yet answered: waiting for the writer or in the commit under way.</summary>
    internal int QueuedOrders => (int)_queuedOrders.Held;

    public override async Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default)
    {
        // On the caller's thread, so the one writer thread does less per order.
        var pending = Prepare(OrderWrite.One(order));
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var result = pending.Result.Single;
        // Stryker disable once Statement : equivalent, pooling only spares the collector work
        pending.Return();
        return result;
    }

    public override async Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default)
    {
        if (orders.Count == 0) return [];
        var pending = Prepare(OrderWrite.All(orders));
        // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
        await EnqueueAndWait(pending).ConfigureAwait(false);
        var results = pending.Result.Many!;
        // Stryker disable once Statement : equivalent, pooling only spares the collector work
        pending.Return();
        return results;
    }

    // Once queued, a write is not cancelled: the order may reach the disk whether or not the caller still listens,
    // and the caller's retry with the same client order id finds it.
    private ValueTask EnqueueAndWait(PendingWrite<TPrepared> pending)
    {
        if (TryEnqueue(pending) is { } refused)
        {
            Free(pending.Count);
            _engine.Release(pending.Prepared);
            // Stryker disable once Statement : equivalent, pooling only spares the collector work
            pending.Return();
            throw refused;
        }
        if (_leaderMode) Lead(pending);
        return pending.Task;
    }

    // The budget first: a request refused costs the engine nothing.
    private PendingWrite<TPrepared> Prepare(OrderWrite write)
    {
        Reserve(write.Count);
        try
        {
            return PendingWrite<TPrepared>.Rent(_engine.Prepare(write), write.Count);
        }
        catch
        {
            Free(write.Count);
            throw;
        }
    }

    // Takes count orders of the MaxQueuedOrders budget, or throws the 503 that says the queue is full. A request larger
    // than the whole budget is taken when nothing else is queued, so every request the API allows can be stored.
    private void Reserve(int count)
    {
        if (_queuedOrders.TryTake(count)) return;
        throw new OrderStoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
            $"the write queue is full ({_queuedOrders.Held:N0} orders are waiting to be written, this request has {count:N0}, " +
            $"and {OrderStorageOptions.SectionName}:{nameof(OrderStorageOptions.MaxQueuedOrders)} is {_queuedOrders.Limit:N0})"), _retryAfter);
    }

    private void Free(int count) => _queuedOrders.Give(count);

    private OrderStoreUnavailableException? TryEnqueue(WriterCommand command)
    {
        _ = _writer.Value;
        if (_queue.Writer.TryWrite(command)) return null;
        // Closed, not completed: a closed queue still holding requests refuses new ones as well, and says why.
        var reason = Volatile.Read(ref _closed) == 1 || _drain.IsWriterStopped
            ? "the service is shutting down"
            : "too many orders are waiting to be written";
        return new OrderStoreUnavailableException(reason, _retryAfter);
    }

    public override Task<string?> ReconnectAsync(CancellationToken cancellationToken = default)
    {
        var command = new ReconnectCommand();
        if (TryEnqueue(command) is { } refused) return Task.FromResult<string?>(refused.Message);
        if (_leaderMode) Lead(null);
        // A caller that stops waiting leaves the command to the writer, which still reconnects.
        return command.Done.Task.WaitAsync(cancellationToken);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _writer.Value;
        _lifetime?.ApplicationStopping.Register(() =>
            _giveUpTimer = new Timer(_ => GiveUp(), null, _stopBudget, Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    // Never throws: a stop whose token fires (the host's shutdown timeout) gives up what is still queued, answered 503,
    // and returns, so the host exits cleanly; the commit under way, if any, is left to finish or fail on its own.
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        Close();
        if (_leaderMode && _writer.IsValueCreated) Lead(null); // with no leader under way, this call sees the queue drained
        if (!_writer.IsValueCreated) return;
        try
        {
            // Stryker disable once Boolean : equivalent, ConfigureAwait(false) as true: neither host has a synchronization context
            await _drain.Drained.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            GiveUp();
        }
    }

    private void Close()
    {
        Volatile.Write(ref _closed, 1);
        _queue.Writer.TryComplete();
    }

    // The stop's budget is spent: every request still queued is answered 503 (nothing of it written, and the writer
    // will not write it: it checks the flag before each commit), and the count is logged.
    private void GiveUp()
    {
        Close();
        if (Interlocked.Exchange(ref _givenUp, 1) == 1) return;
        var refused = 0;
        var stopping = new OrderStoreUnavailableException("the service is stopping", _retryAfter);
        while (_queue.Reader.TryRead(out var command))
        {
            switch (command)
            {
                case PendingWrite<TPrepared> pending:
                    _engine.Release(pending.Prepared);
                    // Stryker disable once Statement : equivalent, dropping the prepared form early only spares the collector work
                    pending.Released();
                    Free(pending.Count);
                    pending.Complete(stopping);
                    refused++;
                    break;
                case ReconnectCommand reconnect:
                    reconnect.Done.TrySetResult(stopping.Message);
                    break;
            }
        }
        LogGaveUp(refused, _stopBudget.TotalSeconds);
    }

    // Runs once: the container disposes the queue once per registration (itself, IOrderRepository, IHostedService),
    // and each call used to wait for a stalled writer again (issue 22: the stop took 6 s longer than its budget).
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Close();
        _giveUpTimer?.Dispose();
        if (_leaderMode && _writer.IsValueCreated)
        {
            Lead(null);
            SpinWait.SpinUntil(() => Volatile.Read(ref _leading) == 0, TimeSpan.FromSeconds(30));
        }
        // After a stop that gave up, a writer stalled in a commit is not waited for: the process exits without it, and
        // the commit, never acknowledged, is rolled back with the connection (the engine leaves a busy connection be).
        if (_writer.IsValueCreated && _writer.Value is { } writer
            && !writer.Join(Volatile.Read(ref _givenUp) == 1 ? StalledWriterGrace : Timeout.InfiniteTimeSpan))
        {
            LogLeftStalledWriter(StalledWriterGrace.TotalSeconds);
        }
        // Stryker disable once Statement : equivalent, the event holds a kernel handle only once a wait needed one, and its finalizer frees it
        _wake.Dispose();
    }

    private Thread? StartWriter()
    {
        try
        {
            _engine.Open();
        }
        catch (Exception ex) when (_engine.DescribeFault(ex) is { } reason)
        {
            // Not fatal: the writer retries on the next batch, so the service recovers once the fault clears.
            _failure.Failed(reason);
            LogStoreUnavailable(reason, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            _engine.Reset();
        }
        if (_leaderMode) return null;
        var thread = new Thread(WriterLoop) { IsBackground = true, Name = "order-writer" };
        thread.Start();
        return thread;
    }

    private void WriterLoop()
    {
        var reader = _queue.Reader;
        try
        {
            while (WaitForWork(reader)) CommitGroup(mine: null);
        }
        finally
        {
            _engine.Reset();
            _drain.WriterStopped();
        }
    }

    // Takes what is waiting (up to MaxOrdersPerTransaction orders), commits it and completes its requests: on one
    // thread-pool work item, except mine (a leader's own request), completed on this thread. Reconnect commands taken
    // with the group run after it. True when mine was in the group.
    private bool CommitGroup(PendingWrite<TPrepared>? mine)
    {
        var reader = _queue.Reader;
        var orders = 0;
        var mineTaken = false;
        while (orders < _options.MaxOrdersPerTransaction && reader.TryRead(out var command))
        {
            switch (command)
            {
                case PendingWrite<TPrepared> pending:
                    _batch.Add(pending);
                    _prepared.Add(pending.Prepared);
                    orders += pending.Count;
                    if (pending == mine) mineTaken = true;
                    break;
                case ReconnectCommand reconnect:
                    _reconnects.Add(reconnect);
                    break;
            }
        }
        if (_batch.Count > 0)
        {
            var error = Volatile.Read(ref _givenUp) == 1 ? Refuse(_batch) : CommitBatch(_batch, _prepared, orders);
            Free(orders); // before any caller resumes: a caller answered may send its next request at once
            _drain.CompletionStarted();
            if (!mineTaken)
            {
                PendingWrite<TPrepared>.CompleteAll(_batch, error, _drain.CompletionDone);
            }
            else
            {
                mine!.Complete(error);
                if (_batch.Count == 1) _drain.CompletionDone();
                else PendingWrite<TPrepared>.CompleteAll(_batch, error, _drain.CompletionDone, except: mine);
            }
            _batch.Clear();
            _prepared.Clear();
        }
        if (_reconnects.Count > 0)
        {
            Reconnect(_reconnects);
            _reconnects.Clear();
        }
        return mineTaken;
    }

    // Leader mode: the calling thread commits for every request waiting, unless another thread already does (that one
    // takes this request too).
    private void Lead(PendingWrite<TPrepared>? mine)
    {
        if (Interlocked.CompareExchange(ref _leading, 1, 0) == 0) LeadWhileWaiting(mine);
    }

    // Holding the lead. The caller's own request (mine) is answered on this thread, with no hand-off; should more be
    // waiting once it is committed, a thread-pool thread takes the lead over, so the caller is not held up.
    private void LeadWhileWaiting(PendingWrite<TPrepared>? mine)
    {
        // Stryker disable once Boolean : equivalent, a lead with no request of its own hands the rest to another pool thread instead of committing it itself: the same groups, another thread
        var mineDone = false;
        while (true)
        {
            if (CommitGroup(mine)) mineDone = true;
            if (_queue.Reader.Count == 0 && !ReacquireAfterRelease()) return;
            if (mineDone)
            {
                // Stryker disable once Boolean : equivalent, preferLocal only picks the thread pool's queue
                ThreadPool.UnsafeQueueUserWorkItem(static queue => queue.LeadWhileWaiting(null), this, preferLocal: false);
                return;
            }
        }
    }

    // Gives the lead up; takes it back when a request was queued meanwhile (its own attempt found the lead taken).
    private bool ReacquireAfterRelease()
    {
        Interlocked.Exchange(ref _leading, 0);
        if (_queue.Reader.Count > 0 && Interlocked.CompareExchange(ref _leading, 1, 0) == 0) return true;
        if (_queue.Reader.Completion.IsCompleted && Interlocked.CompareExchange(ref _leading, 1, 0) == 0)
        {
            // The queue is closed and empty: the end of the writer's life, as when the writer thread exits.
            _engine.Reset();
            _drain.WriterStopped();
            Interlocked.Exchange(ref _leading, 0);
        }
        return false;
    }

    // Blocks the writer thread until a command is queued (true) or the queue is completed and empty (false), without
    // spinning first: Task.Wait spins and yields before it sleeps, which on two cores takes the CPU from the requests
    // the writer is waiting for, and counts as a context switch per yield.
    private bool WaitForWork(ChannelReader<WriterCommand> reader)
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

    private void Reconnect(List<ReconnectCommand> commands)
    {
        string? problem = null;
        try
        {
            _engine.Open();
        }
        catch (Exception ex)
        {
            problem = _engine.DescribeFault(ex) ?? "the store could not be opened";
            _failure.Failed(problem);
            LogStoreUnavailable(problem, StoreFailureLog.Cause(ex));
            StoreFailureLog.Stack(_logger, ex);
            _engine.Reset();
        }
        foreach (var command in commands) command.Done.TrySetResult(problem);
    }

    // A group taken after the stop gave up: not written, answered 503 like the rest of the queue.
    private OrderStoreUnavailableException Refuse(List<PendingWrite<TPrepared>> batch)
    {
        foreach (var pending in batch)
        {
            _engine.Release(pending.Prepared);
            // Stryker disable once Statement : equivalent, dropping the prepared form early only spares the collector work
            pending.Released();
        }
        return new OrderStoreUnavailableException("the service is stopping", _retryAfter);
    }

    // Writes one group and gives every prepared form back to the engine; the error the group's requests fail with,
    // or null when it committed.
    private Exception? CommitBatch(List<PendingWrite<TPrepared>> batch, List<TPrepared> prepared, int orders)
    {
        using var activity = _telemetry.Start(batch, orders);
        var started = Stopwatch.GetTimestamp();
        Exception? error = null;
        try
        {
            var results = _engine.Write(prepared);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Result = results[i];
                if (results[i].Refused is { } refused)
                {
                    batch[i].Error = new OrderStoreUnavailableException(refused, _retryAfter);
                    LogRequestSetAside(refused);
                }
            }
            _telemetry.Committed(orders, Stopwatch.GetElapsedTime(started));
            _failure.Committed();
        }
        catch (Exception ex)
        {
            var reason = ex is OrderCommitUnknownException ? ex.Message : _engine.DescribeFault(ex);
            CommitTelemetry.Failed(activity, reason ?? ex.GetType().Name);
            _failure.Failed(reason ?? ex.GetType().Name);
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
            // A store fault is answered 503 (retry later); anything else reaches the function as it is (500). A commit
            // whose answer was lost is a 503 too, one that says the orders may be stored.
            error = reason is null ? ex : new OrderStoreUnavailableException(reason, _retryAfter, ex)
            {
                OutcomeUnknown = ex is OrderCommitUnknownException,
            };
        }
        foreach (var pending in batch)
        {
            _engine.Release(pending.Prepared);
            // Stryker disable once Statement : equivalent, dropping the prepared form early only spares the collector work
            pending.Released();
        }
        return error;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Order store unavailable: {Reason} ({Cause})")]
    private partial void LogStoreUnavailable(string reason, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Requests} requests failed and was answered 503: {Reason} ({Cause})")]
    private partial void LogWriteFailed(int requests, string reason, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A request was set aside and answered 503 while its transaction committed: {Reason}")]
    private partial void LogRequestSetAside(string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stopping: {Refused} queued requests were refused (503) when the stop's budget of {Seconds} s ran out; none of them was written")]
    private partial void LogGaveUp(int refused, double seconds);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stopping: the writer was still inside its commit {Seconds} s after the stop gave up; the process exits without it, and the commit, never acknowledged, ends with the connection")]
    private partial void LogLeftStalledWriter(double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A transaction of {Requests} requests failed unexpectedly")]
    private partial void LogWriteFailedUnexpectedly(Exception ex, int requests);
}
