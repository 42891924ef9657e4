using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// The SQLite read bound through the query path (issue 24, item 3): with <c>MaxConcurrentReads</c> = 2, six reads
/// issued at once leave exactly two inside the store, held there on a signal, while the other four wait outside it
/// (their calls have returned, unfinished, holding no thread); once the two are let go, the four run.
/// </summary>
public sealed class ReadBoundTests
{
    private const int Bound = 2;
    private const int Reads = 6;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Reads_beyond_MaxConcurrentReads_wait_outside_the_store_while_the_reads_inside_are_held()
    {
        // Arrange: the app with two read slots, over a file whose Orders table is gone, so every read runs SQLite and
        // fails inside its slot; the store's error log line is where the held reads stop (a log provider of the test's
        // own blocks there until released). Reads of a healthy file would finish before anyone could count them.
        var inside = new HeldLogs(typeof(SqliteReads).FullName!);
        await using var app = new StandaloneApplication(
            new Dictionary<string, string?> { ["OrderStorage:MaxConcurrentReads"] = $"{Bound}" },
            services => services.AddSingleton<ILoggerProvider>(inside));
        var queries = app.Services.GetRequiredService<IOrderQueries>();
        using (var connection = app.Store.Open())
        {
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE Orders";
            drop.ExecuteNonQuery();
        }

        // Act: six reads at once, each on a thread of its own; a call that returns unfinished is waiting outside.
        var returnedUnfinished = 0;
        var reads = Enumerable.Range(0, Reads).Select(i => Task.Run(async () =>
        {
            var read = (i % 3) switch
            {
                0 => (Task)queries.StatsAsync(new OrderFilter(), null, 10),
                1 => queries.ListAsync(new OrderFilter(), 0, 10),
                _ => queries.FindAsync(1),
            };
            if (!read.IsCompleted) Interlocked.Increment(ref returnedUnfinished);
            await read;
        })).ToArray();
        await WaitUntil(() => inside.Held >= Bound && inside.Held + Volatile.Read(ref returnedUnfinished) >= Reads,
            () => $"{inside.Held} reads held inside the store, {returnedUnfinished} returned unfinished");
        // The four outside are given a moment to get in (a gate that only looked asynchronous would let them): the
        // deadline is the passing case here, so it is short; a bound that holds never lets a third read in at all.
        await WaitUntil(() => inside.Held > Bound, () => "", TimeSpan.FromSeconds(2), throwOnDeadline: false);
        var heldInside = inside.Held;
        var waitingOutside = Volatile.Read(ref returnedUnfinished);
        var unanswered = reads.Count(r => !r.IsCompleted);
        inside.Release();
        var answers = await Task.WhenAll(reads.Select(Outcome));

        // Assert
        Assert.Equal(Bound, heldInside);
        Assert.Equal(Reads - Bound, waitingOutside);
        Assert.Equal(Reads, unanswered);
        Assert.All(answers, a => Assert.IsType<OrderStoreUnavailableException>(a)); // each read ran (503), none was lost
        Assert.Equal(Reads, inside.Held);
    }

    private static async Task<Exception?> Outcome(Task read)
    {
        try
        {
            await read.WaitAsync(TimeSpan.FromSeconds(60));
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static async Task WaitUntil(Func<bool> condition, Func<string> state, TimeSpan? within = null, bool throwOnDeadline = true)
    {
        var limit = within ?? TimeSpan.FromSeconds(60);
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                if (throwOnDeadline) throw new TimeoutException($"Waited {limit.TotalSeconds} s for the six reads to settle: {state()}");
                return;
            }
            await Task.Delay(10);
        }
    }

    /// <summary>Blocks each Error of <paramref name="category"/> (a read failing inside its slot) until released.</summary>
    private sealed class HeldLogs(string category) : ILoggerProvider
    {
        private readonly ManualResetEventSlim _released = new();
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Release() => _released.Set();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName == category);

        public void Dispose() => Release();

        private sealed class Logger(HeldLogs owner, bool holds) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => holds && logLevel >= LogLevel.Error;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return; // the one-line read failure (its exception goes to Debug)
                Interlocked.Increment(ref owner._held);
                owner._released.Wait(TimeSpan.FromSeconds(90)); // a failed test must not hold the reads forever
            }
        }
    }
}
