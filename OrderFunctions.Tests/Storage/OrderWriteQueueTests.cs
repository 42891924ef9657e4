using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// The write queue over an engine of its own: what the queue promises any engine (every prepared form given back on
/// every path, results as the engine returned them, reconnect as a command of its own), whatever the database, with
/// either commit mode (the writer thread, or the experimental leader: the first waiting request commits).
/// </summary>
public sealed class OrderWriteQueueTests
{
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task Release_gives_back_every_prepared_write_when_written_failed_or_refused(OrderCommitMode mode)
    {
        // Arrange: one place in the queue; the first batch holds the committing thread inside Write until let go.
        var engine = new RecordingEngine { HoldFirstWrite = true, FailWriteNumber = 2 };
        using var queue = Queue(engine, mode, capacity: 1);

        // Act (the first request on a thread of its own: as a leader, it commits on the thread that calls)
        var written = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30)); // the writer holds it, in Write
        var failed = queue.AddManyAsync([TestOrders.Order(size: 2), TestOrders.Order(size: 3)]); // the one place
        var refused = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order(size: 4)));
        var releasedWhenRefused = engine.Released.Count;
        engine.LetFirstWriteGo.Set();
        var stored = await written;
        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => failed);

        // Assert
        Assert.Contains("too many orders are waiting", refused.Message);
        Assert.Equal(1, releasedWhenRefused); // the refused one, at once, while the other two were still held
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.Equal(1m, stored.Order.Size);
        Assert.Equal(RecordingEngine.FaultReason, error.Message);
        Assert.Equal(3, engine.Prepared.Count);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
        Assert.Equal(0, queue.QueuedOrders); // the refused request's orders are back in the budget too
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddManyAsync_gives_the_orders_back_to_the_budget_when_the_engine_cannot_prepare_them(OrderCommitMode mode)
    {
        var engine = new RecordingEngine { PrepareFault = () => new InvalidOperationException("cannot prepare") };
        using var queue = Queue(engine, mode);

        var failed = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.AddManyAsync([TestOrders.Order(), TestOrders.Order()]));
        var heldAfterTheFailure = queue.QueuedOrders;
        engine.PrepareFault = null;
        var stored = await queue.AddAsync(TestOrders.Order());

        Assert.Equal("cannot prepare", failed.Message);
        Assert.Equal(0, heldAfterTheFailure);
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.Equal(0, queue.QueuedOrders);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddManyAsync_returns_the_results_the_engine_returned_in_input_order(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);

        var results = await queue.AddManyAsync([TestOrders.Order(size: 1), TestOrders.Order(size: 2)]);

        Assert.Equal([1m, 2m], results.Select(r => r.Order.Size));
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task ReconnectAsync_opens_the_engine_without_a_write_and_answers_the_cause_until_it_opens(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);
        await queue.StartAsync(default);
        engine.OpenFails = true;

        var whileDown = await queue.ReconnectAsync();
        engine.OpenFails = false;
        var onceUp = await queue.ReconnectAsync();
        var writesBeforeAnOrder = engine.Writes;
        var preparedBeforeAnOrder = engine.Prepared.Count;
        var opensBeforeAnOrder = engine.Opens;
        await queue.AddAsync(TestOrders.Order());

        Assert.Equal(RecordingEngine.FaultReason, whileDown);
        Assert.Null(onceUp);
        Assert.Equal(0, writesBeforeAnOrder);
        Assert.Equal(0, preparedBeforeAnOrder);
        // Each reconnect opens once (after the start's open); an order written later opens nothing again.
        Assert.Equal(3, opensBeforeAnOrder);
        Assert.Equal(3, engine.Opens);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StopAsync_answers_every_accepted_write_then_refuses_new_ones(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode, capacity: 1000);
        var accepted = Enumerable.Range(1, 200).Select(i => Task.Run(() => queue.AddAsync(TestOrders.Order(size: i)))).ToArray();

        await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(60));
        await queue.StopAsync(default);
        var late = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order()));

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (decimal)i), accepted.Select(t => t.Result.Order.Size).Order());
        Assert.Contains("shutting down", late.Message);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StopAsync_returns_only_once_every_caller_of_the_last_commit_has_run_on_from_its_answer()
    {
        // Arrange: the first commit held; three callers queued behind it, each of which, once answered, takes 300 ms
        // before it counts itself done (the host's request code, which writes the answer out).
        var engine = new RecordingEngine { HoldFirstWrite = true };
        using var queue = Queue(engine, OrderCommitMode.WriterThread);
        var done = 0;
        async Task CallAsync(int size)
        {
            await queue.AddAsync(TestOrders.Order(size: size));
            Thread.Sleep(300);
            Interlocked.Increment(ref done);
        }
        // Every caller on the thread pool, as a host's request is: one started on the test's thread would capture xUnit's
        // synchronization context whenever the await before it completed at once (the writer entered first), and then
        // resume later through that context instead of on the completion's thread (CI, 2026-12-07: 1 of 4 done).
        var first = Task.Run(() => CallAsync(1));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(2, 3).Select(size => Task.Run(() => CallAsync(size))).ToArray();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (queue.QueuedOrders < 4 && DateTime.UtcNow < deadline) await Task.Delay(5);
        Assert.Equal(4, queue.QueuedOrders);

        // Act
        var stop = queue.StopAsync(default);
        engine.LetFirstWriteGo.Set();
        await stop.WaitAsync(TimeSpan.FromSeconds(60));
        var doneWhenStopped = Volatile.Read(ref done);

        // Assert: the callers resume on the completion's own thread, before it tells the stop that it is done.
        Assert.Equal(4, doneWhenStopped);
        await Task.WhenAll([first, .. queued]);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_commits_at_most_MaxOrdersPerTransaction_orders_at_a_time_when_single_orders_wait(OrderCommitMode mode)
    {
        // Arrange: a cap of 2; the first commit held while five single orders queue behind it.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        using var queue = Queue(engine, mode, maxOrdersPerTransaction: 2);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = Enumerable.Range(2, 5).Select(i => queue.AddAsync(TestOrders.Order(size: i))).ToArray(); // queued on return

        // Act
        engine.LetFirstWriteGo.Set();
        var stored = await Task.WhenAll(waiting.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: 1, then 2 + 2 + 1 (a cap reached exactly closes the commit).
        Assert.Equal([1, 2, 2, 1], engine.OrdersPerWrite);
        Assert.Equal([1m, 2m, 3m, 4m, 5m, 6m], stored.Select(r => r.Order.Size).Order());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_opens_the_engine_once_at_start_when_every_commit_succeeds(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);

        await queue.StartAsync(default);
        var opensAtStart = engine.Opens;
        for (var i = 1; i <= 3; i++) await queue.AddAsync(TestOrders.Order(size: i));

        Assert.Equal(1, opensAtStart); // the writer connects at start, before any order
        Assert.Equal(1, engine.Opens); // and not again: no reconnect was asked for
        Assert.Equal(3, engine.Writes);
        Assert.Equal(0, engine.Resets);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_records_the_fault_then_clears_it_when_a_later_commit_succeeds(OrderCommitMode mode)
    {
        var engine = new RecordingEngine { FailWriteNumber = 1 };
        var failure = new LastWriteFailure();
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, failure: failure, logs: logs);

        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order(size: 1)));
        var reasonAfterFault = failure.Reason;
        var resetsAfterFault = engine.Resets;
        var stored = await queue.AddAsync(TestOrders.Order(size: 2));

        Assert.Equal(RecordingEngine.FaultReason, error.Message);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.Equal(RecordingEngine.FaultReason, reasonAfterFault);
        Assert.Equal(1, resetsAfterFault); // the connection is dropped after a fault
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.Null(failure.Reason);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, logged.Level);
        var reason = RecordingEngine.FaultReason;
        Assert.Equal($"A transaction of 1 requests failed and was answered 503: {reason} (TimeoutException: {reason})", logged.Message);
        Assert.Null(logged.Exception); // the stack only at Debug
        var stack = Assert.Single(logs.Records, r => r.Level == LogLevel.Debug);
        Assert.IsType<TimeoutException>(stack.Exception);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_throws_the_engines_own_exception_and_logs_it_with_its_stack_when_it_is_not_a_store_fault(OrderCommitMode mode)
    {
        var engine = new RecordingEngine { FailWriteNumber = 1, WriteFault = () => new InvalidOperationException("a bug in the engine") };
        var failure = new LastWriteFailure();
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, failure: failure, logs: logs);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queue.AddAsync(TestOrders.Order()));

        Assert.Equal("a bug in the engine", error.Message); // answered 500 by the function, not 503
        Assert.Equal(nameof(InvalidOperationException), failure.Reason);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("A transaction of 1 requests failed unexpectedly", logged.Message);
        Assert.Same(error, logged.Exception);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task ReconnectAsync_answers_a_generic_cause_records_and_logs_it_when_open_fails_with_no_store_fault(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        var failure = new LastWriteFailure();
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, failure: failure, logs: logs);
        await queue.StartAsync(default);
        engine.OpenFault = () => new InvalidOperationException("not the store's");

        var answer = await queue.ReconnectAsync();

        Assert.Equal("the store could not be opened", answer);
        Assert.Equal("the store could not be opened", failure.Reason);
        Assert.Equal(1, engine.Resets);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("Order store unavailable: the store could not be opened (InvalidOperationException: not the store's)", logged.Message);
        var stack = Assert.Single(logs.Records, r => r.Level == LogLevel.Debug);
        Assert.IsType<InvalidOperationException>(stack.Exception);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StartAsync_records_and_logs_the_fault_when_the_engine_cannot_open_at_start(OrderCommitMode mode)
    {
        var engine = new RecordingEngine { OpenFails = true };
        var failure = new LastWriteFailure();
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, failure: failure, logs: logs);

        await queue.StartAsync(default);
        var reasonAtStart = failure.Reason;
        var resetsAtStart = engine.Resets;
        engine.OpenFails = false;
        var stored = await queue.AddAsync(TestOrders.Order());

        Assert.Equal(RecordingEngine.FaultReason, reasonAtStart);
        Assert.Equal(1, resetsAtStart);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal($"Order store unavailable: {RecordingEngine.FaultReason} (TimeoutException: {RecordingEngine.FaultReason})", logged.Message);
        var stack = Assert.Single(logs.Records, r => r.Level == LogLevel.Debug);
        Assert.IsType<TimeoutException>(stack.Exception); // the stack, at Debug only, of the one line above
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.Null(failure.Reason);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task ReconnectAsync_answers_shutting_down_without_opening_when_the_queue_has_stopped(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);
        await queue.StartAsync(default);
        await queue.StopAsync(default);

        var answer = await queue.ReconnectAsync();

        Assert.Equal("the service is shutting down", answer);
        Assert.Equal(1, engine.Opens);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StopAsync_drops_the_engines_connection_when_the_writer_ends(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);
        await queue.AddAsync(TestOrders.Order());
        var resetsBeforeStop = engine.Resets;

        await queue.StopAsync(default);

        Assert.Equal(0, resetsBeforeStop);
        Assert.Equal(1, engine.Resets); // the writer's end closes the connection it held
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task Commit_span_is_a_child_of_the_first_request_links_32_others_and_records_the_fault_when_40_requests_share_a_commit(
        OrderCommitMode mode)
    {
        // Arrange: spans of this test's engine only (other tests' commits may run meanwhile); the first commit held
        // while 40 requests, each in a span of its own, queue behind it; the commit that takes them fails.
        var commits = new ConcurrentQueue<Activity>();
        using var callers = new ActivitySource($"callers-{Guid.NewGuid():N}");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OrderTelemetry.Name || source == callers,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == OrderTelemetry.CommitActivityName && Equals(activity.GetTagItem("db.system.name"), "test"))
                {
                    commits.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var engine = new RecordingEngine { HoldFirstWrite = true, FailWriteNumber = 2 };
        using var queue = Queue(engine, mode, capacity: 64);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order()));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var contexts = new List<ActivityContext>();
        var waiting = new List<Task<SaveResult>>();
        for (var i = 0; i < 40; i++)
        {
            using var caller = callers.StartActivity($"request {i}")!;
            contexts.Add(caller.Context);
            waiting.Add(queue.AddAsync(TestOrders.Order(size: i + 1))); // queued, with this span as its caller, on return
        }

        // Act
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var request in waiting)
        {
            await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => request.WaitAsync(TimeSpan.FromSeconds(60)));
        }

        // Assert: the failed commit's span (the first, held commit had no caller span, so no parent).
        var failed = Assert.Single(commits, c => c.Status == ActivityStatusCode.Error);
        Assert.Equal(contexts[0].TraceId, failed.TraceId);
        Assert.Equal(contexts[0].SpanId, failed.ParentSpanId);
        Assert.Equal(contexts.Skip(1).Take(32).Select(c => c.SpanId), failed.Links.Select(l => l.Context.SpanId));
        Assert.Equal(40, failed.GetTagItem("orders.count"));
        Assert.Equal(40, failed.GetTagItem("orders.requests"));
        Assert.Equal(RecordingEngine.FaultReason, failed.StatusDescription);
        var held = Assert.Single(commits, c => c.Status != ActivityStatusCode.Error);
        Assert.Equal(default, held.ParentSpanId);
        Assert.Empty(held.Links);
        Assert.Equal(1, held.GetTagItem("orders.count"));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StopAsync_answers_what_is_still_queued_503_writes_none_of_it_and_logs_the_count_when_its_token_fires(OrderCommitMode mode)
    {
        // Arrange: the first commit held; three orders and a reconnect queued behind it.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, logs: logs);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(2, 3).Select(i => queue.AddAsync(TestOrders.Order(size: i))).ToArray();
        var reconnect = queue.ReconnectAsync();
        using var spent = new CancellationTokenSource();
        spent.Cancel();

        // Act: the host's shutdown timeout has fired (twice: the second call finds nothing more to give up).
        await queue.StopAsync(spent.Token);
        await queue.StopAsync(spent.Token);
        var refusedBeforeTheCommitEnds = engine.Released.Count;
        engine.LetFirstWriteGo.Set();
        var stored = await first.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: each queued caller answered 503, its prepared form given back, nothing of it written.
        foreach (var caller in queued)
        {
            var refused = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => caller.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal("the service is stopping", refused.Message);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        }
        Assert.Equal("the service is stopping", await reconnect.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(3, refusedBeforeTheCommitEnds);
        Assert.Equal(SaveOutcome.Created, stored.Outcome); // the commit under way finishes on its own
        Assert.Equal(1, engine.Writes);
        Assert.Equal([1], engine.OrdersPerWrite);
        Assert.Equal(1, engine.Opens);
        await WaitUntilAsync(() => engine.Released.Count == 4);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
        Assert.Equal(0, queue.QueuedOrders); // the refused orders' budget given back, and the committed one's
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Equal(
            "Stopping: 3 queued requests were refused (503) when the stop's budget of 27 s ran out; none of them was written", // 30 s less 3
            logged.Message);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task Writer_refuses_without_writing_a_group_it_takes_after_the_stop_gave_up_when_the_give_up_is_still_under_way(
        OrderCommitMode mode)
    {
        // Arrange: the first commit held; three orders queued. The stop gives up, and is held in its first release
        // (the first order queued) while the other two are still in the queue; the commit then ends, and the committing
        // thread takes those two as its next group.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, logs: logs);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(2, 3).Select(i => queue.AddAsync(TestOrders.Order(size: i))).ToArray();
        engine.HoldNextRelease();
        using var spent = new CancellationTokenSource();
        spent.Cancel();
        var stop = Task.Run(() => queue.StopAsync(spent.Token));
        await engine.ReleaseEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: the commit ends; the group behind it is taken while the stop is still giving up.
        engine.LetFirstWriteGo.Set();
        var stored = await first.WaitAsync(TimeSpan.FromSeconds(60));
        var takenByTheWriter = new List<OrderStoreUnavailableException>();
        foreach (var caller in queued.Skip(1))
        {
            takenByTheWriter.Add(await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => caller.WaitAsync(TimeSpan.FromSeconds(60))));
        }
        engine.LetReleaseGo.Set();
        await stop.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: one commit only (the held one); the group answered 503 unwritten, every prepared form given back.
        var takenByTheStop = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queued[0].WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.All(takenByTheWriter.Append(takenByTheStop), e => Assert.Equal("the service is stopping", e.Message));
        Assert.All(takenByTheWriter, e => Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter));
        Assert.Equal(1, engine.Writes);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
        Assert.Equal(4, engine.Released.Count);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(
            "Stopping: 1 queued requests were refused (503) when the stop's budget of 27 s ran out; none of them was written", logged.Message);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StartAsync_gives_up_what_is_still_queued_at_the_hosts_shutdown_timeout_less_its_margin_when_the_application_stops(
        OrderCommitMode mode)
    {
        // Arrange: a host shutdown timeout of 2 s, so a budget of 1 s (the margin is 3 s, or half the timeout when
        // shorter); the first commit held, two orders queued behind it.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var logs = new CapturedLogs();
        using var lifetime = new StoppingLifetime();
        using var queue = Queue(engine, mode, logs: logs, lifetime: lifetime, shutdownTimeout: TimeSpan.FromSeconds(2));
        await queue.StartAsync(default);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = Enumerable.Range(2, 2).Select(i => queue.AddAsync(TestOrders.Order(size: i))).ToArray();

        // Act: the host begins to stop; no StopAsync is called (the server still waits for its requests).
        lifetime.Stop();
        var refused = new List<OrderStoreUnavailableException>();
        foreach (var caller in queued)
        {
            refused.Add(await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => caller.WaitAsync(TimeSpan.FromSeconds(60))));
        }
        var firstWhenRefused = first.IsCompleted;
        var late = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order(size: 9)));
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: answered 503 while the commit was still held, and the budget logged (once the callers have resumed).
        Assert.False(firstWhenRefused);
        Assert.All(refused, e => Assert.Equal("the service is stopping", e.Message));
        Assert.Equal("the service is shutting down", late.Message); // the give-up closed the queue
        Assert.Equal(1, engine.Writes);
        await WaitUntilAsync(() => logs.Records.Any(r => r.Level >= LogLevel.Warning));
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(
            "Stopping: 2 queued requests were refused (503) when the stop's budget of 1 s ran out; none of them was written", logged.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Dispose_returns_without_waiting_for_a_stalled_commit_when_the_stop_gave_up()
    {
        // Arrange: the first commit held (up to 30 s); the stop's budget spent.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var queue = Queue(engine, OrderCommitMode.WriterThread);
        var first = await StallThenGiveUpAsync(queue, engine);

        // Act: the writer is still in its commit, and will be until let go.
        queue.Dispose();
        var commitLeftWhenDisposed = engine.FirstWriteLeft.Task.IsCompleted;
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: Dispose did not wait for the commit (it waits for the writer only when the stop drained the queue).
        Assert.False(commitLeftWhenDisposed);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Dispose_waits_for_a_stalled_commit_once_and_logs_it_once_when_the_container_disposes_the_queue_three_times()
    {
        // Arrange: the first commit held; the stop's budget spent.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var logs = new CapturedLogs();
        var queue = Queue(engine, OrderCommitMode.WriterThread, logs: logs);
        var first = await StallThenGiveUpAsync(queue, engine);

        // Act: what the container does with a singleton registered three ways (the queue, IOrderRepository, the
        // hosted service): one Dispose per registration. Each used to wait for the stalled writer again (issue 22:
        // the process exited 6 s after its stop, not 2).
        queue.Dispose();
        queue.Dispose();
        queue.Dispose();
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: one wait, one warning that the process goes on without the writer.
        var left = Assert.Single(logs.Records, r => r.Message.Contains("still inside its commit", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, left.Level);
        Assert.Equal(
            "Stopping: the writer was still inside its commit 2 s after the stop gave up; the process exits without it, and " +
            "the commit, never acknowledged, ends with the connection", left.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Writer_commits_on_a_background_thread_named_order_writer_when_the_mode_is_WriterThread()
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, OrderCommitMode.WriterThread);

        await queue.AddAsync(TestOrders.Order());

        // A background thread: a host that never stops the queue still exits; the name shows in dumps and profiles.
        Assert.Equal([(true, "order-writer")], engine.WritingThreads);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_returns_to_a_leader_once_its_own_order_is_committed_when_more_wait_behind_it()
    {
        // Arrange: the leader (the first caller) held in its own commit while two orders queue behind it; the commit
        // that takes those two is held too.
        var engine = new RecordingEngine { HoldFirstWrite = true, HoldSecondWrite = true };
        using var queue = Queue(engine, OrderCommitMode.Leader);
        var leader = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var waiting = Enumerable.Range(2, 2).Select(i => queue.AddAsync(TestOrders.Order(size: i))).ToArray();

        // Act
        engine.LetFirstWriteGo.Set();
        await engine.SecondWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stored = await leader.WaitAsync(TimeSpan.FromSeconds(60));
        var secondLeftWhenLeaderReturned = engine.SecondWriteLeft.Task.IsCompleted;
        engine.LetSecondWriteGo.Set();
        var rest = await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: the leader's caller got its answer while another thread committed the rest.
        Assert.False(secondLeftWhenLeaderReturned);
        Assert.Equal(1m, stored.Order.Size);
        Assert.Equal([2m, 3m], rest.Select(r => r.Order.Size).Order());
        Assert.Equal([1, 2], engine.OrdersPerWrite);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_answers_503_with_the_engines_reason_and_logs_it_when_the_engine_sets_the_request_aside(OrderCommitMode mode)
    {
        // Arrange: the first commit held while two orders queue; the engine sets the one of size 13 aside.
        var engine = new RecordingEngine { HoldFirstWrite = true, SetAsideSize = 13m };
        var failure = new LastWriteFailure();
        var logs = new CapturedLogs();
        using var queue = Queue(engine, mode, failure: failure, logs: logs);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var setAside = queue.AddAsync(TestOrders.Order(size: 13));
        var written = queue.AddAsync(TestOrders.Order(size: 2));

        // Act
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));
        var refused = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => setAside.WaitAsync(TimeSpan.FromSeconds(60)));
        var stored = await written.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: that request alone answered 503; the rest of its commit stored; the commit counts as a success.
        Assert.Equal(RecordingEngine.SetAsideReason, refused.Message);
        Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        Assert.False(refused.OutcomeUnknown);
        Assert.Equal(SaveOutcome.Created, stored.Outcome);
        Assert.Equal([1, 2], engine.OrdersPerWrite);
        Assert.Null(failure.Reason);
        var logged = Assert.Single(logs.Records, r => r.Level >= LogLevel.Warning);
        Assert.Equal(LogLevel.Warning, logged.Level);
        Assert.Equal($"A request was set aside and answered 503 while its transaction committed: {RecordingEngine.SetAsideReason}", logged.Message);
        Assert.Equal(engine.Prepared.Order(), engine.Released.Order());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_answers_shutting_down_not_queue_full_when_the_stop_has_begun_with_requests_still_queued()
    {
        // Arrange: the first commit held, two more requests queued behind it; the stop begins and waits for them.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        using var queue = Queue(engine, OrderCommitMode.WriterThread);
        var first = queue.AddAsync(TestOrders.Order(size: 1));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = new[] { queue.AddAsync(TestOrders.Order(size: 2)), queue.AddAsync(TestOrders.Order(size: 3)) };
        var stop = queue.StopAsync(default);

        // Act: a request while the closed queue still holds the two.
        var late = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order(size: 4)));
        engine.LetFirstWriteGo.Set();
        await Task.WhenAll(queued.Append(first)).WaitAsync(TimeSpan.FromSeconds(60)); // all three stored: none throws
        await stop.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: the truth (before: "too many orders are waiting to be written", which sends a client to retry at once).
        Assert.Equal("the service is shutting down", late.Message);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_answers_shutting_down_when_the_stop_has_begun_and_the_last_commit_is_still_under_way(OrderCommitMode mode)
    {
        // Arrange: the only commit held; the stop begins (nothing else queued, so the queue is closed and empty).
        var engine = new RecordingEngine { HoldFirstWrite = true };
        using var queue = Queue(engine, mode);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order(size: 1)));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stop = queue.StopAsync(default);

        // Act
        var late = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order(size: 2)));
        engine.LetFirstWriteGo.Set();
        await first.WaitAsync(TimeSpan.FromSeconds(60));
        await stop.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: the queue is closed, whether or not the writer has ended yet.
        Assert.Equal("the service is shutting down", late.Message);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task StopAsync_returns_when_the_queue_never_started(OrderCommitMode mode)
    {
        var engine = new RecordingEngine();
        using var queue = Queue(engine, mode);

        await queue.StopAsync(default).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, engine.Opens);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task AddAsync_answers_503_saying_the_orders_may_be_stored_when_the_commits_answer_was_lost(OrderCommitMode mode)
    {
        const string Lost = "the connection failed during COMMIT; the orders may be stored";
        var engine = new RecordingEngine { FailWriteNumber = 1, WriteFault = () => new OrderCommitUnknownException(Lost) };
        var failure = new LastWriteFailure();
        using var queue = Queue(engine, mode, failure: failure);

        var error = await Assert.ThrowsAsync<OrderStoreUnavailableException>(() => queue.AddAsync(TestOrders.Order()));

        Assert.Equal(Lost, error.Message); // the engine's own words, though its DescribeFault knows no such exception
        Assert.True(error.OutcomeUnknown);
        Assert.IsType<OrderCommitUnknownException>(error.InnerException);
        Assert.Equal(Lost, failure.Reason);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Dispose_waits_for_the_writer_to_drop_the_engines_connection_when_no_stop_came_first()
    {
        var engine = new RecordingEngine();
        var queue = Queue(engine, OrderCommitMode.WriterThread);
        await queue.AddAsync(TestOrders.Order());

        queue.Dispose();

        Assert.Equal(1, engine.Resets); // the writer's end, joined by Dispose
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task Dispose_waits_past_the_stalled_writers_grace_for_a_commit_under_way_when_no_stop_gave_up(OrderCommitMode mode)
    {
        // Arrange: the first commit held inside the engine (as a leader, on a thread of its own); no stop has given up,
        // so nothing is stalled.
        var engine = new RecordingEngine { HoldFirstWrite = true };
        var queue = Queue(engine, mode);
        var first = Task.Run(() => queue.AddAsync(TestOrders.Order()));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // Act: the container disposes the queue while the commit is under way, for longer than the grace it gives a
        // writer stalled after a give-up.
        var disposed = Task.Run(queue.Dispose);
        await Task.Delay(OrderWriteQueue<RecordingEngine.Token>.StalledWriterGrace + TimeSpan.FromSeconds(1));
        var disposedWhileHeld = disposed.IsCompleted;
        engine.LetFirstWriteGo.Set();
        await disposed.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert: Dispose returned only once the commit had finished and the connection was dropped.
        Assert.False(disposedWhileHeld, "Dispose returned while a commit was under way, with no stop that gave up");
        Assert.Equal(SaveOutcome.Created, (await first).Outcome);
        Assert.Equal(1, engine.Resets); // the connection dropped once the queue was closed and empty
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrderCommitMode.WriterThread)]
    [InlineData(OrderCommitMode.Leader)]
    public async Task Dispose_cancels_the_stops_budget_so_a_stop_that_drained_gives_nothing_up_later(OrderCommitMode mode)
    {
        // Arrange: a host shutdown timeout of 4 s, so a budget of 2 s from the moment the host begins to stop.
        var logs = new CapturedLogs();
        using var lifetime = new StoppingLifetime();
        var queue = Queue(new RecordingEngine(), mode, logs: logs, lifetime: lifetime, shutdownTimeout: TimeSpan.FromSeconds(4));
        await queue.StartAsync(default);
        await queue.AddAsync(TestOrders.Order());

        // Act: the stop drains at once and the container disposes the queue; then the budget's time passes.
        lifetime.Stop();
        await queue.StopAsync(default);
        queue.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(3));

        // Assert: no give-up after the queue was gone (it would log that it refused what was queued).
        Assert.DoesNotContain(logs.Records, r => r.Level >= LogLevel.Warning);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The condition did not hold within 60 s");
            await Task.Delay(10);
        }
    }

    // The first order's commit entered and held by the engine, then a stop whose token has already fired (its budget
    // spent): the queue gives up while its writer is stalled. Returns the held order's task.
    private static async Task<Task<SaveResult>> StallThenGiveUpAsync(OrderWriteQueue<RecordingEngine.Token> queue, RecordingEngine engine)
    {
        var first = queue.AddAsync(TestOrders.Order(size: 1));
        await engine.FirstWriteEntered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var spent = new CancellationTokenSource();
        spent.Cancel();
        await queue.StopAsync(spent.Token);
        return first;
    }

    private static OrderWriteQueue<RecordingEngine.Token> Queue(RecordingEngine engine, OrderCommitMode mode, int capacity = 16,
        int maxOrdersPerTransaction = 20_000, LastWriteFailure? failure = null, CapturedLogs? logs = null,
        IHostApplicationLifetime? lifetime = null, TimeSpan? shutdownTimeout = null) =>
        new(engine,
            Options.Create(new OrderStorageOptions
            {
                QueueCapacity = capacity, CommitMode = mode, MaxOrdersPerTransaction = maxOrdersPerTransaction, RetryAfterSeconds = 7,
            }),
            logs is null
                ? NullLogger<OrderWriteQueue>.Instance
                : LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs)).CreateLogger<OrderWriteQueue>(),
            failure,
            lifetime: lifetime,
            hostOptions: shutdownTimeout is { } timeout ? Options.Create(new HostOptions { ShutdownTimeout = timeout }) : null);

    /// <summary>The host's lifetime, reduced to the stop signal the queue listens to.</summary>
    private sealed class StoppingLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Stop() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }

    /// <summary>An engine in memory that records what it prepared and released, and can hold, fail or refuse to open.</summary>
    private sealed class RecordingEngine : IOrderBatchWriter<RecordingEngine.Token>
    {
        public const string FaultReason = "the test engine failed";
        public const string SetAsideReason = "the test engine set this request aside";

        private int _nextToken;
        private long _nextId;

        public readonly record struct Token(int Number, OrderWrite Write);

        public bool HoldFirstWrite { get; init; }
        public bool HoldSecondWrite { get; init; }
        public decimal? SetAsideSize { get; init; }
        public int FailWriteNumber { get; init; }
        public Func<Exception> WriteFault { get; init; } = () => new TimeoutException(FaultReason);
        public volatile bool OpenFails;
        public volatile Func<Exception>? OpenFault;
        public volatile Func<Exception>? PrepareFault;
        public int Writes;
        public int Opens;
        public int Resets;
        public ConcurrentQueue<int> OrdersPerWrite { get; } = [];
        public ConcurrentBag<int> Prepared { get; } = [];
        public ConcurrentBag<int> Released { get; } = [];
        public TaskCompletionSource FirstWriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ManualResetEventSlim LetFirstWriteGo { get; } = new();
        public TaskCompletionSource FirstWriteLeft { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource SecondWriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ManualResetEventSlim LetSecondWriteGo { get; } = new();
        public TaskCompletionSource SecondWriteLeft { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ConcurrentQueue<(bool IsBackground, string? Name)> WritingThreads { get; } = [];
        public TaskCompletionSource ReleaseEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ManualResetEventSlim LetReleaseGo { get; } = new();
        private int _holdRelease;

        public string SystemName => "test";

        public Token Prepare(OrderWrite write)
        {
            if (PrepareFault is { } fault) throw fault();
            var token = new Token(Interlocked.Increment(ref _nextToken), write);
            Prepared.Add(token.Number);
            return token;
        }

        public IReadOnlyList<WriteResult> Write(IReadOnlyList<Token> batch)
        {
            var number = Interlocked.Increment(ref Writes);
            WritingThreads.Enqueue((Thread.CurrentThread.IsBackground, Thread.CurrentThread.Name));
            if (number == 1 && HoldFirstWrite)
            {
                FirstWriteEntered.TrySetResult();
                LetFirstWriteGo.Wait(TimeSpan.FromSeconds(30));
                FirstWriteLeft.TrySetResult();
            }
            if (number == 2 && HoldSecondWrite)
            {
                SecondWriteEntered.TrySetResult();
                LetSecondWriteGo.Wait(TimeSpan.FromSeconds(30));
                SecondWriteLeft.TrySetResult();
            }
            OrdersPerWrite.Enqueue(batch.Sum(token => token.Write.Count));
            if (number == FailWriteNumber) throw WriteFault();
            return [.. batch.Select(token => token.Write.Single is { } order
                ? order.Size == SetAsideSize ? WriteResult.NotWritten(SetAsideReason) : WriteResult.One(Created(order))
                : WriteResult.All([.. token.Write.Many!.Select(Created)]))];
        }

        /// <summary>The next call to <see cref="Release"/> waits, once it has said so, until <see cref="LetReleaseGo"/>.</summary>
        public void HoldNextRelease() => Volatile.Write(ref _holdRelease, 1);

        public void Release(Token prepared)
        {
            if (Interlocked.Exchange(ref _holdRelease, 0) == 1)
            {
                ReleaseEntered.TrySetResult();
                LetReleaseGo.Wait(TimeSpan.FromSeconds(30));
            }
            Released.Add(prepared.Number);
        }

        public void Open()
        {
            Interlocked.Increment(ref Opens);
            if (OpenFails) throw new TimeoutException(FaultReason);
            if (OpenFault is { } fault) throw fault();
        }

        public void Reset() => Interlocked.Increment(ref Resets);

        public string? DescribeFault(Exception exception) => exception is TimeoutException ? exception.Message : null;

        public void Dispose()
        {
            LetFirstWriteGo.Dispose();
            LetSecondWriteGo.Dispose();
            LetReleaseGo.Dispose();
        }

        private SaveResult Created(Order order) => new(SaveOutcome.Created, StoredOrder.From(Interlocked.Increment(ref _nextId), order));
    }
}
