using System.Diagnostics;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// What the spool costs the trading process besides the caller's thread: the CPU time of the spool's own thread (it maps
/// segments ahead of the producers, touches their pages, releases acknowledged ones) per order, in the loop the
/// BenchmarkDotNet cases run (32,768 calls per core the producers can use, acknowledged between rounds, 30 ms apart),
/// beside the wall time per call on a core. On two cores with two or four producers, every millisecond the spool's
/// thread runs is taken from a producer, so this figure is part of the BenchmarkDotNet figure for those cases.
/// Linux only (/proc); the thread is found by its name.
/// </summary>
internal static class SpoolThread
{
    private const int PerCore = EnqueueBenchmarks.PerCore;
    // The spool's thread, "OrderSender spool", as /proc names it (15 characters).
    private const string SpoolThreadName = "OrderSender spo";

    public static void Run(int rounds)
    {
        Console.WriteLine($"The spool's thread: {rounds} rounds of {PerCore:N0} calls per core, acknowledged between rounds, 30 ms apart");
        Console.WriteLine($"{"threads",7} {"wall ns/call on a core",23} {"spool thread ns/order",22} {"spool thread ms",16}");
        foreach (var threads in new[] { 1, 2, 4 })
        {
            var directory = Path.Combine(Path.GetTempPath(), $"bench-spool-{Guid.NewGuid():N}");
            var sender = OrderSender.WithoutSending(new OrderSenderOptions
            {
                Endpoint = new Uri("http://127.0.0.1:9"),
                SpoolDirectory = directory,
                SpoolFlush = SpoolFlushMode.Never,
            });
            var perThread = PerCore * Math.Min(threads, Environment.ProcessorCount) / threads;
            var order = new OutgoingOrder(DateTime.UtcNow, "desk-7", "BTC-USD", "buy", 0.5m, 43000.12m);
            void Round(List<double>? walls)
            {
                using var start = new Barrier(threads + 1);
                var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
                {
                    start.SignalAndWait();
                    for (var i = 0; i < perThread; i++)
                    {
                        if (sender.TryEnqueue(order) != EnqueueStatus.Accepted) throw new InvalidOperationException("refused: the round measured a refusal");
                    }
                })).ToList();
                workers.ForEach(w => w.Start());
                start.SignalAndWait();
                var t0 = Stopwatch.GetTimestamp();
                workers.ForEach(w => w.Join());
                walls?.Add((Stopwatch.GetTimestamp() - t0) * 1e9 / Stopwatch.Frequency / PerCore);
                sender.AcknowledgeAll();
            }
            for (var r = 0; r < 8; r++)
            {
                Round(null); // tiered compilation promotes TryEnqueue meanwhile
                Thread.Sleep(250);
            }
            var walls = new List<double>();
            var before = SpoolThreadCpuMs();
            for (var r = 0; r < rounds; r++)
            {
                Round(walls);
                Thread.Sleep(30);
            }
            var spent = SpoolThreadCpuMs() - before;
            walls.Sort();
            var orders = (double)rounds * perThread * threads;
            Console.WriteLine($"{threads,7} {walls[walls.Count / 2],23:F1} {spent * 1e6 / orders,22:F1} {spent,16:F0}");
            sender.StopAsync(TimeSpan.Zero).GetAwaiter().GetResult();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static long SpoolThreadCpuMs() =>
        ThreadCpu.MillisecondsByName() is { } threads && threads.TryGetValue(SpoolThreadName, out var ms)
            ? ms
            : throw new InvalidOperationException("no thread named OrderSender spool (or no /proc: Linux only)");
}
