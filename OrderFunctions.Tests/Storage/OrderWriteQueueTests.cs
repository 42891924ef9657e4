using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
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

        Assert.Equal(RecordingEngine.FaultReason, whileDown);
        Assert.Null(onceUp);
        Assert.Equal(0, engine.Writes);
        Assert.Empty(engine.Prepared);
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

    private static OrderWriteQueue<RecordingEngine.Token> Queue(RecordingEngine engine, OrderCommitMode mode, int capacity = 16) =>
        new(engine, Options.Create(new OrderStorageOptions { QueueCapacity = capacity, CommitMode = mode }),
            NullLogger<OrderWriteQueue>.Instance);

    /// <summary>An engine in memory that records what it prepared and released, and can hold, fail or refuse to open.</summary>
    private sealed class RecordingEngine : IOrderBatchWriter<RecordingEngine.Token>
    {
        public const string FaultReason = "the test engine failed";

        private int _nextToken;
        private long _nextId;

        public readonly record struct Token(int Number, OrderWrite Write);

        public bool HoldFirstWrite { get; init; }
        public int FailWriteNumber { get; init; }
        public volatile bool OpenFails;
        public int Writes;
        public ConcurrentBag<int> Prepared { get; } = [];
        public ConcurrentBag<int> Released { get; } = [];
        public TaskCompletionSource FirstWriteEntered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public ManualResetEventSlim LetFirstWriteGo { get; } = new();

        public string SystemName => "test";

        public Token Prepare(OrderWrite write)
        {
            var token = new Token(Interlocked.Increment(ref _nextToken), write);
            Prepared.Add(token.Number);
            return token;
        }

        public IReadOnlyList<WriteResult> Write(IReadOnlyList<Token> batch)
        {
            var number = Interlocked.Increment(ref Writes);
            if (number == 1 && HoldFirstWrite)
            {
                FirstWriteEntered.TrySetResult();
                LetFirstWriteGo.Wait(TimeSpan.FromSeconds(30));
            }
            if (number == FailWriteNumber) throw new TimeoutException(FaultReason);
            return [.. batch.Select(token => token.Write.Single is { } order
                ? WriteResult.One(Created(order))
                : WriteResult.All([.. token.Write.Many!.Select(Created)]))];
        }

        public void Release(Token prepared) => Released.Add(prepared.Number);

        public void Open()
        {
            if (OpenFails) throw new TimeoutException(FaultReason);
        }

        public void Reset()
        {
        }

        public string? DescribeFault(Exception exception) => exception is TimeoutException ? exception.Message : null;

        public void Dispose() => LetFirstWriteGo.Dispose();

        private SaveResult Created(Order order) => new(SaveOutcome.Created, StoredOrder.From(Interlocked.Increment(ref _nextId), order));
    }
}
