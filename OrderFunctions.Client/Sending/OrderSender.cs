using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrderFunctions.Client.Spool;
using OrderFunctions.Http;

namespace OrderFunctions.Client;

/// <summary>
/// The buffered background sender a trading system keeps for its lifetime (the shape of Event Hubs'
/// <c>EventHubBufferedProducerClient</c>): <see cref="TryEnqueue"/> copies an order into a preallocated ring, or into
/// the memory-mapped spool when <see cref="OrderSenderOptions.SpoolDirectory"/> is set, and returns at once; one
/// background thread sends batches (<see cref="OrderSenderOptions.MaxBatchOrders"/> or after
/// <see cref="OrderSenderOptions.Linger"/>) over one keep-alive connection, in enqueue order. Every order carries a
/// clientOrderId, so a batch resent after a timeout is answered as a replay, never stored twice. See docs/sender.md.
/// </summary>
public sealed partial class OrderSender : IAsyncDisposable
{
    private const int Running = 0, Stopping = 1, Stopped = 2;

    private readonly OrderSenderOptions _options;
    private readonly IOrderLog _log;
    private readonly OrderFunctionsClient _client;
    private readonly HttpClient? _ownedHttp;
    private readonly ILogger _logger;
    private readonly OrderSenderMetrics _metrics;
    private readonly Thread _thread;
    // No spinning: the sender thread waits here between polls (1 ms) for the whole of every round trip and whenever
    // nothing is buffered; the default spin phase (Thread.SpinWait, sched_yield) cost CPU on the same cores as the
    // trading threads and the server, about 2% of a core for as long as a request was in flight.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _startTail;
    private readonly long _skipAfter;
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile int _state;
    private volatile bool _flushRequested;
    private Task<OrderSenderDrainResult>? _stopTask;
    private long _sent, _stored, _replayed, _rejected, _skipped;
    // The first position Fill found pending and when (Stopwatch ticks): a position still unwritten after the linger is
    // the unused end of a producer's block, skipped (see BlockReservation).
    private long _pendingPosition = -1, _pendingSince;
    private string? _stopReason;

    /// <summary>
    /// Opens the spool (when configured: recovers what a previous run left, which is sent first) and starts sending.
    /// </summary>
    /// <param name="options">Where to send and how to buffer; read once.</param>
    /// <param name="httpClient">From IHttpClientFactory; null: the sender makes and owns one (keep-alive).</param>
    /// <param name="logger">Where the sender says what it did (never the key); null: nowhere.</param>
    /// <param name="meterFactory">Creates the <c>OrderFunctions.Client</c> meter; null: a meter of its own.</param>
    /// <exception cref="OrderSpoolInUseException">Another sender holds the spool directory.</exception>
    public OrderSender(OrderSenderOptions options, HttpClient? httpClient = null, ILogger<OrderSender>? logger = null,
        IMeterFactory? meterFactory = null)
        : this(options, httpClient, logger, meterFactory, startSending: true)
    {
    }

    /// <summary>A sender whose sending thread never starts: the enqueue benchmarks measure the caller's side alone.</summary>
    internal static OrderSender WithoutSending(OrderSenderOptions options) => new(options, null, null, null, startSending: false);

    /// <summary>Benchmarks only: releases everything enqueued as if the server had acknowledged it.</summary>
    internal void AcknowledgeAll()
    {
        var tail = _log.Tail;
        for (var position = _log.Acked; position < tail; position++) _log.TrySkip(position); // the unused ends of blocks
        _log.Commit(tail);
    }

    private OrderSender(OrderSenderOptions options, HttpClient? httpClient, ILogger<OrderSender>? logger, IMeterFactory? meterFactory,
        bool startSending)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        if (httpClient is null)
        {
            _ownedHttp = new HttpClient(SenderHttp.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan };
            httpClient = _ownedHttp;
        }
        _client = new OrderFunctionsClient(httpClient, options.ClientOptions());
        var idPrefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        _log = options.SpoolDirectory is null
            ? new MemoryOrderLog(options.MaxBufferedOrders, idPrefix, options.BlockQuickFill)
            : new SpoolOrderLog(options, idPrefix, _logger);
        _startTail = _log.Tail;
        _skipAfter = (long)(Math.Max(options.Linger.TotalSeconds, 0.001) * Stopwatch.Frequency);
        _metrics = new OrderSenderMetrics(this, meterFactory);
        _thread = new Thread(Run) { IsBackground = true, Name = "OrderSender" };
        if (startSending) _thread.Start();
        else _finished.TrySetResult();
    }

    /// <summary>Raised (on the sender's thread) for each order the server refused for good; the other orders of its batch were sent.</summary>
    public event EventHandler<OrderRejectedEventArgs>? OrderRejected;

    /// <summary>
    /// Raised (on the sender's thread) when a request failed in a way worth retrying (no answer, a timeout, 408, 429,
    /// 5xx): the same orders are sent again after <see cref="OrderSendFailedEventArgs.RetryIn"/>. Nothing is lost by
    /// waiting; a caller that would rather give up calls <see cref="StopAsync"/> (from another thread, not the handler).
    /// </summary>
    public event EventHandler<OrderSendFailedEventArgs>? SendFailed;

    /// <summary>Raised when the sender stops on its own: the key or the URL was refused. Orders stay where they are.</summary>
    public event EventHandler<OrderSenderStoppedEventArgs>? SenderStopped;

    /// <summary>Why the sender stopped on its own (401/403/404...), or null while it runs.</summary>
    public string? StopReason => Volatile.Read(ref _stopReason);

    /// <summary>The spool directory, or null in memory-only mode.</summary>
    public string? SpoolDirectory => _log.Location;

    /// <summary>
    /// Orders accepted and not yet acknowledged by the server, counting the positions producers have reserved and not
    /// yet used (at most <see cref="BlockReservation.MaxBlock"/> per enqueuing thread, until the sender skips them).
    /// </summary>
    public long BufferedOrders => _log.Tail - _log.Acked;

    /// <summary>
    /// Orders accepted since this sender started (a spool's earlier orders not counted); like <see cref="BufferedOrders"/>,
    /// it counts reserved positions not yet used until the sender skips them.
    /// </summary>
    public long EnqueuedCount => _log.Tail - _startTail - Interlocked.Read(ref _skipped);

    /// <summary>Orders in requests the server answered 2xx.</summary>
    public long SentCount => Interlocked.Read(ref _sent);
    /// <summary>Orders answered 201 (stored now).</summary>
    public long StoredCount => Interlocked.Read(ref _stored);
    /// <summary>Orders answered 200 Idempotent-Replayed (stored before, by an earlier attempt or run).</summary>
    public long ReplayedCount => Interlocked.Read(ref _replayed);
    /// <summary>Orders refused: invalid at enqueue, or refused by the server for good.</summary>
    public long RejectedCount => Interlocked.Read(ref _rejected);
    internal long SpooledBytes => _log.Location is null ? 0 : _log.BufferedBytes;

    /// <summary>
    /// Takes the order unless it says why not. Never blocks and never does I/O: with a spool the order is copied into
    /// mapped memory (in the page cache when this returns, so it survives the process being killed); without one into a
    /// preallocated slot. Allocates nothing. Any number of threads may call it; the orders of one thread are sent in
    /// the order it enqueued them.
    /// </summary>
    public EnqueueStatus TryEnqueue(in OutgoingOrder order)
    {
        if (_state != Running) return EnqueueStatus.Stopped;
        if (!order.IsValid())
        {
            Interlocked.Increment(ref _rejected);
            return EnqueueStatus.Invalid;
        }
        return _log.TryAppend(order);
    }

    /// <summary>Like <see cref="TryEnqueue"/>, but waits for room when the buffer or the spool is full.</summary>
    public async ValueTask<EnqueueStatus> EnqueueAsync(OutgoingOrder order, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var status = TryEnqueue(order);
            if (status is not (EnqueueStatus.BufferFull or EnqueueStatus.SpoolFull or EnqueueStatus.DiskFull)) return status;
            await Task.WhenAny(Volatile.Read(ref _progress).Task, Task.Delay(50, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>
    /// Sends what is buffered now without waiting for the linger, and completes when the server has acknowledged (or
    /// refused for good) every order enqueued before the call: true, or false if the sender stopped first.
    /// </summary>
    public async Task<bool> FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = _log.Tail;
        while (true)
        {
            var progress = Volatile.Read(ref _progress).Task;
            if (_log.Acked >= target) return true;
            if (_state == Stopped || _finished.Task.IsCompleted) return false;
            _flushRequested = true;
            _wake.Set();
            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops accepting orders, sends what is buffered for up to <paramref name="timeout"/>, then closes the spool and
    /// says what was left and where.
    /// </summary>
    public Task<OrderSenderDrainResult> StopAsync(TimeSpan timeout)
    {
        lock (_wake)
        {
            return _stopTask ??= StopCoreAsync(timeout);
        }
    }

    /// <summary>Stops within <see cref="OrderSenderOptions.DrainTimeout"/>; what was left is logged (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync(_options.DrainTimeout).ConfigureAwait(false);

    private async Task<OrderSenderDrainResult> StopCoreAsync(TimeSpan timeout)
    {
        if (_state == Running) _state = Stopping;
        _wake.Set();
        _abort.CancelAfter(timeout);
        await _finished.Task.ConfigureAwait(false);
        _state = Stopped;
        var result = new OrderSenderDrainResult(OrdersLeft(), _log.Location, StopReason);
        _log.Dispose();
        _metrics.Dispose();
        _ownedHttp?.Dispose();
        if (result.OrdersLeft > 0) LogLeft(result.OrdersLeft, result.ToString());
        else LogDrained(SentCount);
        Signal();
        return result;
    }

    /// <summary>
    /// The orders not acknowledged, once no producer is accepted any more: the positions below the tail that hold an order.
    /// The others (the unused ends of producers' blocks) are marked skipped on the way, so a spool reopened later skips
    /// them too.
    /// </summary>
    private long OrdersLeft()
    {
        long left = 0;
        for (long position = _log.Acked, tail = _log.Tail; position < tail; position++)
        {
            if (!_log.TrySkip(position)) left++;
        }
        return left;
    }

    private void Run()
    {
        try
        {
            SendLoop();
        }
        catch (Exception ex)
        {
            Stop($"the sender failed: {ex.Message}", null);
            LogFailed(ex);
        }
        finally
        {
            _finished.TrySetResult();
            Signal();
        }
    }

    /// <summary>
    /// Up to <see cref="OrderSenderOptions.MaxRequestsInFlight"/> requests are in flight, oldest first. The first is sent
    /// as before (a full batch, the linger, a flush or the stop); while it is in flight the orders enqueued meanwhile are
    /// serialized into the next batch, which is sent once it is full (<see cref="OrderSenderOptions.MaxRequestOrders"/>),
    /// or holds <see cref="OrderSenderOptions.MaxBatchOrders"/> with nothing more ready, or a flush or the stop asks, naming the last order of the request before it in <c>If-Order-Stored</c>: the
    /// server stores it only once that order is stored, so a sender's rows stay in enqueue order (several requests in
    /// flight without it could be committed out of order: the server's write queue takes requests as they arrive). The
    /// requests are settled in the order they were sent: a request is resolved (stored, its refused orders removed, or
    /// retried) before the one after it is looked at, and its orders are released from the log only then.
    /// </summary>
    private void SendLoop()
    {
        var trigger = _options.MaxBatchOrders;
        var max = _options.RequestOrders;
        var window = _options.MaxRequestsInFlight;
        var free = new Stack<Batch>();
        for (var i = 0; i < window; i++) free.Push(new Batch(max));
        var inFlight = new Queue<Batch>();
        var scratch = new ArrayBufferWriter<byte>(256 * max);
        var filling = new Batch(max);
        filling.Start(_log.Acked);
        while (true)
        {
            if (_state == Stopped || _abort.IsCancellationRequested) return;
            if (inFlight.Count == 0)
            {
                long lingerEnd = 0; // set when an empty batch starts to linger below
                if (filling.Count == 0)
                {
                    if (filling.End > _log.Acked)
                    {
                        // Only skipped positions (unused ends of producers' blocks, records torn at recovery):
                        // released without a request.
                        _log.Commit(filling.End);
                        Signal();
                    }
                    var draining = _state == Stopping;
                    if (_log.Tail == filling.End)
                    {
                        if (draining) return;
                        _wake.Wait(1);
                        _wake.Reset();
                        continue;
                    }
                    // Linger: give a small batch a few milliseconds to grow, unless a flush or the stop is waiting.
                    lingerEnd = Stopwatch.GetTimestamp() + (long)(_options.Linger.TotalSeconds * Stopwatch.Frequency);
                    while (_log.Tail - filling.End < trigger && !_flushRequested && _state == Running && Stopwatch.GetTimestamp() < lingerEnd)
                    {
                        _wake.Wait(1);
                        _wake.Reset();
                    }
                }
                var before = filling.End;
                Fill(filling, max);
                if (filling.Count == 0)
                {
                    if (filling.End == before) Thread.Yield(); // a producer is writing the next slot, or its block waits
                    else filling.Start(filling.End); // only skipped positions: committed above, on the next turn
                    continue;
                }
                // The tail counts positions producers have reserved, not only written: a batch that reached the trigger by
                // the tail can stop at a position whose order is still being written. It waits for it while Linger lasts,
                // rather than going out short (replay's --batch 3 was sent as 2 + 1).
                while (filling.Count < trigger && filling.Count < max && filling.End < _log.Tail && !_flushRequested
                    && _state == Running && Stopwatch.GetTimestamp() < lingerEnd)
                {
                    _wake.Wait(1);
                    _wake.Reset();
                    Fill(filling, max);
                }
                _flushRequested = false;
                inFlight.Enqueue(Send(filling, preceding: null));
                filling = Next(free, filling);
                continue;
            }

            // Until the oldest request is answered: serialize what is enqueued meanwhile, and send it as the next request
            // in flight once it is a full batch (or a flush or the stop asks). The answer wakes this thread at once;
            // until then it polls every millisecond (producers never signal: that would be a system call on their thread).
            var oldest = inFlight.Peek();
            while (!oldest.Sending!.IsCompleted)
            {
                var added = filling.Count < max ? Fill(filling, max) : 0;
                // A full request, or a batch's worth with nothing more to add yet (so a sender that is behind sends
                // requests of MaxRequestOrders, not of the first MaxBatchOrders serialized).
                if (inFlight.Count < window && filling.Count > 0
                    && (filling.Count >= max || (filling.Count >= trigger && added == 0) || _flushRequested || _state != Running))
                {
                    _flushRequested = false;
                    var newest = inFlight.Last();
                    var last = _log.Read(newest.Positions[newest.Count - 1]);
                    inFlight.Enqueue(Send(filling, PrecedingOrder.Format(last.Username, last.ClientOrderId!)));
                    filling = Next(free, filling);
                    continue;
                }
                if (added > 0) continue;
                _wake.Wait(1);
                _wake.Reset();
            }
            inFlight.Dequeue();
            RawResponse response;
            try
            {
                response = oldest.Sending.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                return; // the drain's time is up
            }
            _metrics.SendDuration(Stopwatch.GetElapsedTime(oldest.SentAt), response.Status);
            if (!Resolve(oldest, response, scratch)) return;
            _log.Commit(oldest.End);
            Signal();
            free.Push(oldest);
        }
    }

    /// <summary>Sends <paramref name="batch"/> (after the spool's flush when every batch is flushed); the answer wakes the loop.</summary>
    private Batch Send(Batch batch, string? preceding)
    {
        if (_options.SpoolFlush == SpoolFlushMode.EveryBatch) _log.FlushToDisk(batch.End);
        batch.Preceding = preceding;
        batch.SentAt = Stopwatch.GetTimestamp();
        batch.Sending = _client.PostBatchAsync(batch.Finish(), batch.Count, batch.Answer, preceding, _abort.Token);
        batch.Sending.ContinueWith(static (_, wake) => ((ManualResetEventSlim)wake!).Set(), _wake, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return batch;
    }

    /// <summary>The next batch to fill, starting where <paramref name="sent"/> ends.</summary>
    private static Batch Next(Stack<Batch> free, Batch sent)
    {
        var next = free.Pop();
        next.Start(sent.End);
        return next;
    }

    /// <summary>
    /// Serializes the ready orders after <see cref="Batch.End"/> into the batch, up to <paramref name="max"/>; returns the
    /// positions consumed.
    /// </summary>
    private int Fill(Batch batch, int max)
    {
        var tail = _log.Tail;
        var consumed = 0;
        while (batch.Count < max && batch.End < tail)
        {
            var state = _log.WriteJson(batch.End, batch.Writer);
            if (state == SlotState.Pending)
            {
                if (!MaySkip(batch.End) || !_log.TrySkip(batch.End)) break;
                Interlocked.Increment(ref _skipped);
                _pendingPosition = batch.End + 1; // the positions after a skipped one may be skipped at once
                state = SlotState.Skip;
            }
            if (state == SlotState.Ready) batch.Added();
            batch.End++;
            consumed++;
        }
        return consumed;
    }

    /// <summary>
    /// Whether a pending position may be skipped: it has been pending since <see cref="OrderSenderOptions.Linger"/> (at
    /// least 1 ms) ago, or a flush or the stop is waiting. A producer that is writing the position still wins (the skip's
    /// compare-and-swap fails); one that reserved it in a block and has not come back gives the rest of its block up.
    /// </summary>
    private bool MaySkip(long position)
    {
        var now = Stopwatch.GetTimestamp();
        if (position != _pendingPosition)
        {
            _pendingPosition = position;
            _pendingSince = now;
        }
        return _flushRequested || _state != Running || now - _pendingSince >= _skipAfter;
    }

    /// <summary>
    /// Settles one batch given the server's first answer: every order stored or refused for good, retrying what is
    /// transient (only this batch: the next waits); false when the sender must stop.
    /// </summary>
    private bool Resolve(Batch batch, RawResponse response, ArrayBufferWriter<byte> scratch)
    {
        if (response.Status is >= 200 and < 300 && response.Unexpected is null)
        {
            Stored(batch.Count, response);
            return true;
        }
        var chunks = new Stack<List<int>>();
        chunks.Push([.. Enumerable.Range(0, batch.Count)]);
        var failures = 0;
        var first = true;
        while (chunks.Count > 0)
        {
            var chunk = chunks.Peek();
            if (chunk.Count == 0)
            {
                chunks.Pop();
                continue;
            }
            if (!first)
            {
                Compose(batch, chunk, scratch);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    response = _client.PostBatchAsync(scratch.WrittenMemory, chunk.Count, batch.Answer, null, _abort.Token)
                        .GetAwaiter().GetResult();
                }
                catch (OperationCanceledException)
                {
                    return false; // the drain's time is up
                }
                _metrics.SendDuration(Stopwatch.GetElapsedTime(started), response.Status);
            }
            var preceded = first && batch.Preceding is not null;
            first = false;
            var problem = response.Problem;
            switch (response.Status)
            {
                case 412 when preceded:
                    // The order this request named was not stored in time (the request before it failed, or lost an
                    // order): nothing of it was written. That request is settled now, so it goes again without the condition.
                    LogPrecedingNotStored(batch.Preceding!);
                    break;
                case >= 200 and < 300 when response.Unexpected is { } unexpected:
                    Stop($"{unexpected}; is Endpoint the OrderFunctions service?", null, response.Status);
                    return false;
                case >= 200 and < 300:
                    Stored(chunk.Count, response);
                    if (failures > 0) LogRecovered(failures);
                    failures = 0;
                    chunks.Pop();
                    break;
                case 400 when problem!.ErrorIndexes() is { Count: > 0 } indexes && indexes[^1] < chunk.Count:
                    for (var i = indexes.Count - 1; i >= 0; i--)
                    {
                        Reject(batch, chunk[indexes[i]], problem with { Errors = problem.ErrorsOf(indexes[i]), Index = indexes[i] });
                        chunk.RemoveAt(indexes[i]);
                    }
                    break;
                case 409 when problem!.Index is { } index && index >= 0 && index < chunk.Count:
                    Reject(batch, chunk[index], problem);
                    chunk.RemoveAt(index);
                    break;
                case 400 or 409 or 413 or 422:
                    chunks.Pop();
                    if (chunk.Count == 1)
                    {
                        Reject(batch, chunk[0], problem!);
                    }
                    else
                    {
                        // The answer names no order (413: too large): halve until it does, or until one order is left.
                        chunks.Push(chunk.GetRange(chunk.Count / 2, chunk.Count - chunk.Count / 2));
                        chunks.Push(chunk.GetRange(0, chunk.Count / 2));
                    }
                    break;
                case 0 or 408 or 429 or >= 500:
                    failures++;
                    var delay = Backoff(failures, response.RetryAfter);
                    var reason = response.TransportError ?? problem?.ToString();
                    if (failures == 1 || failures % 10 == 0) LogRetrying(response.Status, reason, failures, delay.TotalMilliseconds);
                    Raise(SendFailed, new OrderSendFailedEventArgs(response.Status, reason, failures, delay, chunk.Count));
                    if (_abort.Token.WaitHandle.WaitOne(delay)) return false;
                    break;
                default:
                    Stop(response.Status is 401 or 403
                        ? $"the server refused the key ({response.Status} {problem})"
                        : $"the server refused the request ({response.Status} {problem}); is Endpoint the OrderFunctions service?",
                        problem, response.Status);
                    return false;
            }
        }
        return true;
    }

    private void Stored(int count, RawResponse response)
    {
        // A receipt says how many were stored before; a full answer only whether all were (Idempotent-Replayed).
        var replayed = response.ReplayedOrders ?? (response.Replayed ? count : 0);
        Interlocked.Add(ref _sent, count);
        Interlocked.Add(ref _replayed, replayed);
        Interlocked.Add(ref _stored, count - replayed);
    }

    private TimeSpan Backoff(int failures, TimeSpan? retryAfter)
    {
        var exponential = _options.RetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        var capped = Math.Min(exponential, _options.MaxRetryDelay.TotalMilliseconds);
        var jittered = capped / 2 + Random.Shared.NextDouble() * capped / 2; // "equal jitter": never all senders at once
        if (retryAfter is { } after) jittered = Math.Max(jittered, Math.Min(after.TotalMilliseconds, TimeSpan.FromMinutes(5).TotalMilliseconds));
        return TimeSpan.FromMilliseconds(jittered);
    }

    private static void Compose(Batch batch, List<int> chunk, ArrayBufferWriter<byte> body)
    {
        body.ResetWrittenCount();
        var written = batch.Body.WrittenSpan;
        body.Write("["u8);
        for (var i = 0; i < chunk.Count; i++)
        {
            if (i > 0) body.Write(","u8);
            var entry = chunk[i];
            body.Write(written[batch.ObjectStart(entry)..batch.Ends[entry]]);
        }
        body.Write("]"u8);
    }

    private void Reject(Batch batch, int entry, OrderProblem problem)
    {
        Interlocked.Increment(ref _rejected);
        var order = _log.Read(batch.Positions[entry]);
        LogRejected(order.ClientOrderId, order.Username, order.Market, problem.Status, problem.ToString());
        try
        {
            OrderRejected?.Invoke(this, new OrderRejectedEventArgs(order, problem));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex);
        }
    }

    private void Stop(string reason, OrderProblem? problem, int status = 0)
    {
        Volatile.Write(ref _stopReason, reason);
        _state = Stopped;
        var left = OrdersLeft();
        LogStopped(reason, left, _log.Location ?? "memory (lost when the process ends)");
        try
        {
            SenderStopped?.Invoke(this, new OrderSenderStoppedEventArgs(reason, problem, left, _log.Location, status));
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex);
        }
    }

    private void Raise<T>(EventHandler<T>? handler, T args)
    {
        try
        {
            handler?.Invoke(this, args);
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex);
        }
    }

    private void Signal() =>
        Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// One batch: the request body, a JSON array written as orders are added (each object flushed, so where it ends is
    /// known), each order's position in the log, and <see cref="End"/>, the log position after the last one consumed.
    /// </summary>
    private sealed class Batch
    {
        public Batch(int capacity)
        {
            Positions = new long[capacity];
            Ends = new int[capacity];
            Body = new ArrayBufferWriter<byte>(256 * capacity);
            Writer = new Utf8JsonWriter(Body, new JsonWriterOptions { SkipValidation = true });
        }

        public long[] Positions { get; }
        public int[] Ends { get; }
        /// <summary>Reads this batch's answer: each request in flight has its own buffer.</summary>
        public BatchAnswerReader Answer { get; } = new();
        /// <summary>While in flight: the request, when it was sent, and the order it named in <c>If-Order-Stored</c> (or null).</summary>
        public Task<RawResponse>? Sending { get; set; }
        public long SentAt { get; set; }
        public string? Preceding { get; set; }
        public ArrayBufferWriter<byte> Body { get; }
        public Utf8JsonWriter Writer { get; }
        public int Count { get; private set; }
        public long End { get; set; }

        public void Start(long position)
        {
            Body.ResetWrittenCount();
            Writer.Reset(Body);
            Writer.WriteStartArray();
            Count = 0;
            End = position;
        }

        /// <summary>Records the object just written for position <see cref="End"/>.</summary>
        public void Added()
        {
            Writer.Flush();
            Positions[Count] = End;
            Ends[Count++] = Body.WrittenCount;
        }

        /// <summary>Where entry <paramref name="entry"/>'s object starts: after the '[' or after the comma before it.</summary>
        public int ObjectStart(int entry) => entry == 0 ? 1 : Ends[entry - 1] + 1;

        public ReadOnlyMemory<byte> Finish()
        {
            Writer.WriteEndArray();
            Writer.Flush();
            return Body.WrittenMemory;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {ClientOrderId} of {Username} on {Market} refused by the server ({Status}): " +
        "{Problem}; removed, the rest of its batch is sent")]
    private partial void LogRejected(string? clientOrderId, string username, string market, int status, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending failed ({Status}: {Reason}), attempt {Attempt}; retrying in {DelayMs:F0} ms, " +
        "orders stay buffered")]
    private partial void LogRetrying(int status, string? reason, int attempt, double delayMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "A request waited for order {Preceding} of the request before it, which was not " +
        "stored in time; sent again now that the request before it is settled")]
    private partial void LogPrecedingNotStored(string preceding);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sending succeeded again after {Failures} failed attempts")]
    private partial void LogRecovered(int failures);

    [LoggerMessage(Level = LogLevel.Error, Message = "OrderSender stopped: {Reason}. {Left} orders not sent, kept in {Where}")]
    private partial void LogStopped(string reason, long left, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OrderSender closed with {Left} orders not acknowledged: {Detail}")]
    private partial void LogLeft(long left, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "OrderSender closed; {Sent} orders sent, none left")]
    private partial void LogDrained(long sent);

    [LoggerMessage(Level = LogLevel.Error, Message = "An OrderSender event handler threw; the sender goes on")]
    private partial void LogHandlerFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Critical, Message = "OrderSender failed and stopped")]
    private partial void LogFailed(Exception ex);
}
