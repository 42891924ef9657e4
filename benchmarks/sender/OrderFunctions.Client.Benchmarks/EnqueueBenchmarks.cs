using BenchmarkDotNet.Attributes;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// TryEnqueue's cost to the caller: memory ring or spool, 1 or 4 producer threads. The sending thread is not started
/// (it would compete for the 2 cores and is not the caller's cost); each iteration starts from an empty buffer.
/// <para>
/// The setup runs TryEnqueue until the JIT has installed its final (tier-1) code before BenchmarkDotNet measures. With
/// [IterationSetup] BenchmarkDotNet invokes the method once per iteration (a few milliseconds of calls), so
/// its whole warm-up and measurement took less time than tiered compilation waits before it promotes a hot method
/// (100 ms without new tier-0 methods, twice: instrumented tier, then tier 1): the cases that ran first in the process
/// (the memory ring: 221 ns mean with one producer in the quiet run of 2026-12-07) were measured in tier-0 code, and
/// the spool's cases, which ran after them through the same TryEnqueue and validation, in tier-1 code (67 ns). The
/// per-call timing (latency mode) warms up and waits before it measures, and gave the memory ring 70 ns.
/// </para>
/// <para>
/// What one operation is: a call's cost on a core. Each invocation makes <see cref="PerCore"/> calls for every core the
/// producers can run on at once (min(Threads, cores)), shared evenly among the threads, so the wall time divided by
/// <see cref="PerCore"/> is the time a core spends per call, whether it runs one producer or takes turns between two.
/// Until 2026-12-07 every thread made 8,192 calls and the wall time was divided by 8,192 (one thread's calls): with four
/// producers on two cores that counted each call twice over, the time a core spent on the other thread's calls
/// included (409 ns memory, 301 ns spool in the run of 08:15 UTC, against 63 and 59 ns for one producer).
/// </para>
/// </summary>
[MemoryDiagnoser]
public class EnqueueBenchmarks
{
    internal const int PerCore = 32_768;
    private int _perThread;
    private OrderSender _sender = null!;
    private string? _spool;
    private Thread[] _helpers = [];
    private Barrier? _start;
    private Barrier? _done;
    private volatile bool _stopping;
    private long _refused;
    private readonly OutgoingOrder _order = new(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);

    [Params(false, true)]
    public bool Spool { get; set; }

    [Params(1, 2, 4)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _perThread = PerCore * Math.Min(Threads, Environment.ProcessorCount) / Threads;
        _spool = Spool ? Path.Combine(Path.GetTempPath(), $"bench-spool-{Guid.NewGuid():N}") : null;
        _sender = OrderSender.WithoutSending(new OrderSenderOptions
        {
            Endpoint = new Uri("http://127.0.0.1:9"),
            SpoolDirectory = _spool,
            MaxBufferedOrders = 1 << 20,
            SpoolFlush = SpoolFlushMode.Never,
        });
        WarmUp();
        if (Threads > 1)
        {
            _start = new Barrier(Threads);
            _done = new Barrier(Threads);
            _helpers = [.. Enumerable.Range(1, Threads - 1).Select(_ => new Thread(Helper) { IsBackground = true })];
            foreach (var helper in _helpers) helper.Start();
        }
    }

    /// <summary>
    /// Calls TryEnqueue in rounds with pauses between them, long enough for tiered compilation to promote it twice
    /// (tier 0, instrumented, tier 1: each after 100 ms without new tier-0 methods, then compiled in the background).
    /// </summary>
    private void WarmUp()
    {
        for (var round = 0; round < 6; round++)
        {
            Enqueue();
            _sender.AcknowledgeAll();
            Thread.Sleep(250);
        }
    }

    /// <summary>Fails the case (NA, and benchmarks/sender/run.sh stops) when a call of the iteration, or of the warm-up, was refused.</summary>
    [IterationCleanup]
    public void NoneRefused()
    {
        var refused = Interlocked.Read(ref _refused);
        if (refused > 0) throw new InvalidOperationException($"TryEnqueue refused {refused} calls: the case measured refusals");
    }

    [IterationSetup]
    public void Empty()
    {
        _sender.AcknowledgeAll();
        // The spool's thread maps segments two ahead of the producers and touches their pages at its own pace. Back to
        // back, four producers' iterations (65,536 records, a 24 MiB segment, every few milliseconds) outran it, and
        // TryEnqueue refused with BufferFull (34,469 refusals in the first run of this check). A pause lets it keep up, as
        // it does behind any sender, which sends at most what the server stores (about 150,000 orders a second here).
        if (Spool) Thread.Sleep(30);
    }

    [Benchmark(OperationsPerInvoke = PerCore)]
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
        for (var i = 0; i < _perThread; i++)
        {
            if (_sender.TryEnqueue(_order) == EnqueueStatus.Accepted) accepted++;
        }
        // A refused call is cheaper than an accepted one: a case with refusals would measure the refusal, not the enqueue.
        if (accepted != _perThread) Interlocked.Add(ref _refused, _perThread - accepted);
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
