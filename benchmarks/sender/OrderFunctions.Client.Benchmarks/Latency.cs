using System.Diagnostics;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// Per-call latency of TryEnqueue (median, p99, p99.9, max), which BenchmarkDotNet's per-invocation means cannot give:
/// each call timed with Stopwatch.GetTimestamp (its own cost, measured on an empty loop, is printed beside). Beside the
/// percentiles: how many calls took over 1 µs, and how often the measuring threads were preempted (involuntary context
/// switches, from /proc): with 4 threads on 2 cores a call the scheduler interrupts is slow for a reason that is not the
/// library's, so a p99 made of preemptions would show as many preemptions as slow calls; fewer preemptions than slow
/// calls means the library's code is slow there. "block ns" is the mean cost per call over blocks of 1,000 calls timed
/// whole (median block), the timer's cost excluded.
/// </summary>
internal static class Latency
{
    public static void Run(int calls)
    {
        Console.WriteLine($"TryEnqueue per-call latency, {calls:N0} calls per thread (after {calls:N0} warm-up calls)");
        Console.WriteLine($"{"mode",-14} {"threads",7} {"median ns",10} {"p99 ns",10} {"p99.9 ns",10} {"max ns",10} {"alloc B/op",10} " +
            $"{"calls>1us",10} {"preempted",10} {"faults",8} {"block ns",9}");
        var threadCounts = (Environment.GetEnvironmentVariable("LATENCY_THREADS") ?? "1 4")
            .Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        // LATENCY_MODES="spool" measures only that mode (for a profiler: one mode's work alone).
        var modes = Environment.GetEnvironmentVariable("LATENCY_MODES")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var threads in threadCounts)
        {
            var empty = Measure(null, threads, calls, timeOnly: true);
            Print("timer", threads, empty, 0);
        }
        // The spool with SpoolFlush Never, and with the default (Interval, every 100 ms: msync in the background).
        foreach (var (mode, spool, flush) in new[]
            {
                ("memory", false, SpoolFlushMode.Never), ("spool", true, SpoolFlushMode.Never),
                ("spool+100ms", true, SpoolFlushMode.Interval),
            })
        {
            if (modes is not null && !modes.Contains(mode)) continue;
            foreach (var threads in threadCounts)
            {
                var directory = spool ? Path.Combine(Path.GetTempPath(), $"bench-spool-{Guid.NewGuid():N}") : null;
                var sender = OrderSender.WithoutSending(new OrderSenderOptions
                {
                    Endpoint = new Uri("http://127.0.0.1:9"),
                    SpoolDirectory = directory,
                    MaxBufferedOrders = threads * (calls + BlockReservation.MaxBlock), // each thread may leave the end of its last block unused
                    // One segment holds a whole pass, so the measured pass writes into a segment mapped (and its
                    // pages touched) ahead by the spool's thread, as in steady state.
                    SpoolSegmentBytes = (long)threads * calls * 384,
                    MaxSpoolBytes = 4L * threads * calls * 384,
                    SpoolFlush = flush,
                });
                for (var pass = 0; pass < 2; pass++)
                {
                    Measure(sender, threads, calls, timeOnly: false); // warm-up: JIT tiers, the ring's and the spool's pages
                    sender.AcknowledgeAll();
                    Thread.Sleep(1000); // tier-1 code is installed in the background; the spool maps ahead
                }
                var result = Measure(sender, threads, calls, timeOnly: false);
                sender.AcknowledgeAll();
                Thread.Sleep(200);
                var block = MeasureBlocks(sender, threads, calls);
                Print(mode, threads, result, block);
                sender.StopAsync(TimeSpan.Zero).GetAwaiter().GetResult();
                if (directory is not null) Directory.Delete(directory, recursive: true);
            }
        }
    }

    private static (long[] Ticks, double AllocatedPerCall, long Preempted, long Faults) Measure(OrderSender? sender, int threads, int calls,
        bool timeOnly)
    {
        var order = new OutgoingOrder(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);
        var samples = new long[threads * calls];
        var allocated = new long[threads];
        var preempted = new long[threads];
        var faults = new long[threads];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var switches = InvoluntarySwitches();
            var faulted = PageFaults();
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < calls; i++)
            {
                var t0 = Stopwatch.GetTimestamp();
                if (!timeOnly && sender!.TryEnqueue(order) != EnqueueStatus.Accepted) throw new InvalidOperationException("refused");
                samples[t * calls + i] = Stopwatch.GetTimestamp() - t0;
            }
            allocated[t] = GC.GetAllocatedBytesForCurrentThread() - before;
            preempted[t] = InvoluntarySwitches() - switches;
            faults[t] = PageFaults() - faulted;
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        Array.Sort(samples);
        return (samples, (double)allocated.Sum() / samples.Length, preempted.Sum(), faults.Sum());
    }

    /// <summary>The median over blocks of 1,000 calls of the block's time per call (one timer read per block).</summary>
    private static double MeasureBlocks(OrderSender sender, int threads, int calls)
    {
        const int Block = 1000;
        var order = new OutgoingOrder(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);
        var blocks = calls / Block;
        var samples = new long[threads * blocks];
        using var start = new Barrier(threads);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (var b = 0; b < blocks; b++)
            {
                var t0 = Stopwatch.GetTimestamp();
                for (var i = 0; i < Block; i++)
                {
                    if (sender.TryEnqueue(order) != EnqueueStatus.Accepted) throw new InvalidOperationException("refused");
                }
                samples[t * blocks + b] = Stopwatch.GetTimestamp() - t0;
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        if (samples.Length == 0) return 0;
        Array.Sort(samples);
        return samples[samples.Length / 2] * 1e9 / Stopwatch.Frequency / Block;
    }

    /// <summary>This thread's page faults so far, minor and major (Linux; 0 elsewhere).</summary>
    private static long PageFaults()
    {
        try
        {
            var stat = File.ReadAllText("/proc/thread-self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the name: state ppid pgrp session tty tpgid flags minflt cminflt majflt
            return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture)
                + long.Parse(fields[9], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>This thread's involuntary context switches so far (Linux; 0 elsewhere).</summary>
    private static long InvoluntarySwitches()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/thread-self/status"))
            {
                if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan("nonvoluntary_ctxt_switches:".Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private static void Print(string mode, int threads, (long[] Ticks, double AllocatedPerCall, long Preempted, long Faults) result, double block)
    {
        double Ns(double quantile) =>
            result.Ticks[Math.Min(result.Ticks.Length - 1, (int)(quantile * result.Ticks.Length))] * 1e9 / Stopwatch.Frequency;
        var microsecond = Stopwatch.Frequency / 1_000_000.0;
        var slow = result.Ticks.Count(t => t > microsecond);
        Console.WriteLine($"{mode,-14} {threads,7} {Ns(0.5),10:F0} {Ns(0.99),10:F0} {Ns(0.999),10:F0} {Ns(1),10:F0} " +
            $"{result.AllocatedPerCall,10:F2} " +
            $"{slow,10} {result.Preempted,10} {result.Faults,8} {block,9:F0}");
    }
}
