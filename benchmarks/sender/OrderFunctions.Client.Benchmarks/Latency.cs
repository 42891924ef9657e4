using System.Diagnostics;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// Per-call latency of TryEnqueue (median, p99, p99.9, max), which BenchmarkDotNet's per-invocation means cannot give:
/// each call timed with Stopwatch.GetTimestamp (its own cost, measured on an empty loop, is printed beside).
/// </summary>
internal static class Latency
{
    public static void Run(int calls)
    {
        Console.WriteLine($"TryEnqueue per-call latency, {calls:N0} calls per thread (after {calls:N0} warm-up calls)");
        Console.WriteLine($"{"mode",-8} {"threads",7} {"median ns",10} {"p99 ns",10} {"p99.9 ns",10} {"max ns",10} {"alloc B/op",10}");
        var empty = Measure(null, 1, calls, timeOnly: true);
        Print("timer", 1, empty);
        foreach (var spool in new[] { false, true })
        {
            foreach (var threads in new[] { 1, 4 })
            {
                var directory = spool ? Path.Combine(Path.GetTempPath(), $"bench-spool-{Guid.NewGuid():N}") : null;
                var sender = OrderSender.WithoutSending(new OrderSenderOptions
                {
                    Endpoint = new Uri("http://127.0.0.1:9"),
                    SpoolDirectory = directory,
                    MaxBufferedOrders = threads * calls + 16,
                    // One segment holds a whole pass, so the measured pass writes into a segment mapped (and its
                    // pages touched) ahead by the spool's thread, as in steady state.
                    SpoolSegmentBytes = (long)threads * calls * 384,
                    MaxSpoolBytes = 4L * threads * calls * 384,
                    SpoolFlush = SpoolFlushMode.Never,
                });
                for (var pass = 0; pass < 2; pass++)
                {
                    Measure(sender, threads, calls, timeOnly: false); // warm-up: JIT tiers, the ring's and the spool's pages
                    sender.AcknowledgeAll();
                    Thread.Sleep(1000); // tier-1 code is installed in the background; the spool maps ahead
                }
                var result = Measure(sender, threads, calls, timeOnly: false);
                Print(spool ? "spool" : "memory", threads, result);
                sender.StopAsync(TimeSpan.Zero).GetAwaiter().GetResult();
                if (directory is not null) Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static (long[] Ticks, double AllocatedPerCall) Measure(OrderSender? sender, int threads, int calls, bool timeOnly)
    {
        var order = new OutgoingOrder(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);
        var samples = new long[threads * calls];
        var allocated = new long[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (!timeOnly && sender!.TryEnqueue(order) != EnqueueStatus.Accepted) throw new InvalidOperationException("refused");
                samples[t * calls + i] = Stopwatch.GetTimestamp() - t0;
            }
            allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Array.Sort(samples);
        return (samples, (double)allocated.Sum() / samples.Length);
    }

    private static void Print(string mode, int threads, (long[] Ticks, double AllocatedPerCall) result)
    {
        double Ns(double quantile) =>
            result.Ticks[Math.Min(result.Ticks.Length - 1, (int)(quantile * result.Ticks.Length))] * 1e9 / Stopwatch.Frequency;
        Console.WriteLine($"{mode,-8} {threads,7} {Ns(0.5),10:F0} {Ns(0.99),10:F0} {Ns(0.999),10:F0} {Ns(1),10:F0} {result.AllocatedPerCall,10:F2}");
    }
}
