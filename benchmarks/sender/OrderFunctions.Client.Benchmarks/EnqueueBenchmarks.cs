using BenchmarkDotNet.Attributes;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// TryEnqueue's cost to the caller: memory ring or spool, 1 or 4 producer threads. The sending thread is not started
/// (it would compete for the 2 cores and is not the caller's cost); each iteration starts from an empty buffer.
/// </summary>
[MemoryDiagnoser]
public class EnqueueBenchmarks
{
    private const int PerThread = 8192;
    private OrderSender _sender = null!;
    private string? _spool;
    private Thread[] _helpers = [];
    private Barrier? _start;
    private Barrier? _done;
    private volatile bool _stopping;
    private readonly OutgoingOrder _order = new(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);

    [Params(false, true)]
    public bool Spool { get; set; }

    [Params(1, 4)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _spool = Spool ? Path.Combine(Path.GetTempPath(), $"bench-spool-{Guid.NewGuid():N}") : null;
        _sender = OrderSender.WithoutSending(new OrderSenderOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9"),
            SpoolDirectory = _spool,
            MaxBufferedOrders = 1 << 20,
            SpoolFlush = SpoolFlushMode.Never,
        });
        if (Threads > 1)
        {
            _start = new Barrier(Threads);
            _done = new Barrier(Threads);
            _helpers = [.. Enumerable.Range(1, Threads - 1).Select(_ => new Thread(Helper) { IsBackground = true })];
            foreach (var helper in _helpers) helper.Start();
        }
    }

    [IterationSetup]
    public void Empty() => _sender.AcknowledgeAll();

    [Benchmark(OperationsPerInvoke = PerThread)]
    public int TryEnqueue()
    {
        _start?.SignalAndWait();
        var accepted = Enqueue();
        _done?.SignalAndWait();
        return accepted;
    }

    private int Enqueue()
    {
        var accepted = 0;
        for (var i = 0; i < PerThread; i++)
        {
            if (_sender.TryEnqueue(_order) == EnqueueStatus.Accepted) accepted++;
        }
        return accepted;
    }

    private void Helper()
    {
        while (true)
        {
            _start!.SignalAndWait();
            if (_stopping) return;
            Enqueue();
            _done!.SignalAndWait();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopping = true;
        _start?.SignalAndWait();
        _sender.StopAsync(TimeSpan.Zero).GetAwaiter().GetResult();
        if (_spool is not null) Directory.Delete(_spool, recursive: true);
    }
}
