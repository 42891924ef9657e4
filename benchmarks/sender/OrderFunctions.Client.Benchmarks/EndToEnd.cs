using System.Diagnostics;
using System.Globalization;
using OrderFunctions.Orders;

namespace OrderFunctions.Client.Benchmarks;

/// <summary>
/// The end-to-end figures, one process against a running host: the sender (N orders, time until every one is
/// acknowledged, i.e. a row), one order per request (the baseline), and the outage run (the script stops the server).
/// Each prints one line of key=value figures, including this process's CPU per order and peak RSS.
/// </summary>
internal static class EndToEnd
{
    public static async Task<int> SenderAsync(Uri endpoint, int count, string? spool, string label)
    {
        // SENDER_BATCH: MaxBatchOrders (default the library's 1,000; a request carries up to MaxRequestOrders, 5,000, when behind).
        var batch = int.TryParse(Environment.GetEnvironmentVariable("SENDER_BATCH"), CultureInfo.InvariantCulture, out var b)
            ? b
            : new OrderSenderOptions().MaxBatchOrders;
        // SENDER_IN_FLIGHT: MaxRequestsInFlight (default the library's 2).
        var inFlight = int.TryParse(Environment.GetEnvironmentVariable("SENDER_IN_FLIGHT"), CultureInfo.InvariantCulture, out var f)
            ? f
            : new OrderSenderOptions().MaxRequestsInFlight;
        // SENDER_REQUEST: MaxRequestOrders (default the library's).
        var request = int.TryParse(Environment.GetEnvironmentVariable("SENDER_REQUEST"), CultureInfo.InvariantCulture, out var q)
            ? q
            : new OrderSenderOptions().MaxRequestOrders;
        var options = new OrderSenderOptions
        {
            Endpoint = endpoint, SpoolDirectory = spool, MaxBatchOrders = batch, MaxRequestOrders = request, MaxRequestsInFlight = inFlight,
            MaxBufferedOrders = Math.Max(count, batch),
            MaxSpoolBytes = Math.Max(2L * count * 384, 64L << 20), SpoolFlush = SpoolFlushMode.Never,
        };
        await using var sender = new OrderSender(options);
        var threads = ThreadCpu.MillisecondsByName();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var start = new DateTime(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);
        var enqueueClock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var order = new OutgoingOrder(start.AddTicks(i), $"{label}-{i % 4}", "BTC-USD", (i & 1) == 0 ? "buy" : "sell", 1 + i % 9, 100 + i % 97);
            while (sender.TryEnqueue(order) != EnqueueStatus.Accepted) Thread.SpinWait(100);
        }
        var enqueued = enqueueClock.Elapsed;
        if (!await sender.FlushAsync()) return Fail($"the sender stopped: {sender.StopReason}");
        var elapsed = clock.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Report(label, count, elapsed, used, threads, $"batch={batch} request={request} in_flight={inFlight} enqueue_s={enqueued.TotalSeconds:F3} stored={sender.StoredCount} " +
            $"replayed={sender.ReplayedCount} rejected={sender.RejectedCount}");
        return 0;
    }

    /// <summary>
    /// The server's own batch throughput for the orders a sender sends: <paramref name="connections"/> loops, each
    /// posting its share of <paramref name="count"/> orders as requests of <paramref name="batch"/>, every order with a
    /// clientOrderId of its own (so each is an insert through the idempotency index, as the sender's are), asking for
    /// the minimal answer; the bodies are serialized before the clock starts, so the client costs almost nothing.
    /// </summary>
    public static async Task<int> ServerBatchesAsync(Uri endpoint, int count, int connections, int batch)
    {
        var label = $"b{DateTime.UtcNow:HHmmss}";
        var start = new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc);
        var bodies = new List<ReadOnlyMemory<byte>>();
        for (var first = 0; first < count; first += batch)
        {
            var orders = Enumerable.Range(first, Math.Min(batch, count - first)).Select(i => new OutgoingOrder(start.AddTicks(i),
                $"batch-{i % 4}", "BTC-USD", (i & 1) == 0 ? "buy" : "sell", 1 + i % 9, 100 + i % 97, $"{label}-{i:D9}").ToRequest());
            bodies.Add(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(orders.ToList(), OrderFunctionsClient.Json));
        }
        var client = new OrderFunctionsClient(endpoint);
        var next = -1;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => Task.Run(async () =>
        {
            var answer = new BatchAnswerReader();
            int b;
            while ((b = Interlocked.Increment(ref next)) < bodies.Count)
            {
                var orders = Math.Min(batch, count - b * batch);
                var response = await client.PostBatchAsync(bodies[b], orders, answer, null, CancellationToken.None);
                if (response.Status is not (200 or 201) || response.Unexpected is not null) Interlocked.Increment(ref failures);
            }
        })));
        var elapsed = clock.Elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"server batches: orders={count} seconds={elapsed.TotalSeconds:F2} orders_per_s={count / elapsed.TotalSeconds:F0} " +
            $"connections={connections} batch={batch} failures={failures}"));
        return failures == 0 ? 0 : 1;
    }

    public static async Task<int> OnePerRequestAsync(Uri endpoint, int count, int connections)
    {
        var client = new OrderFunctionsClient(endpoint);
        var threads = ThreadCpu.MillisecondsByName();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var next = -1;
        var failures = 0;
        var start = new DateTime(2026, 12, 2, 0, 0, 0, DateTimeKind.Utc);
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var request = new OrderRequest
                {
                    Timestamp = start.AddTicks(i).ToString("O", CultureInfo.InvariantCulture),
                    Username = "single", Market = "BTC-USD", Side = "buy", Size = 1, Price = 100 + i % 97,
                    ClientOrderId = $"single-{i}",
                };
                if (!(await client.CreateOrderAsync(request)).IsSuccess) Interlocked.Increment(ref failures);
            }
        }));
        Report("one-per-request", count, clock.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu, threads,
            $"connections={connections} failures={failures}");
        return failures == 0 ? 0 : 1;
    }

    /// <summary>Enqueues at a steady rate (the script stops and restarts the server meanwhile), then checks the rows.</summary>
    public static async Task<int> OutageAsync(Uri endpoint, int count, int rate, string spool)
    {
        var options = new OrderSenderOptions
        {
            Endpoint = endpoint, SpoolDirectory = spool, MaxSpoolBytes = Math.Max(2L * count * 384, 64L << 20),
            MaxRetryDelay = TimeSpan.FromSeconds(2)
        };
        var label = $"outage{DateTime.UtcNow:HHmmss}";
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        await using (var sender = new OrderSender(options))
        {
            var start = new DateTime(2026, 12, 3, 0, 0, 0, DateTimeKind.Utc);
            for (var i = 0; i < count; i++)
            {
                while (clock.Elapsed.TotalSeconds * rate < i) Thread.Sleep(1);
                var status = sender.TryEnqueue(new OutgoingOrder(start.AddTicks(i), label, "ETH-USD", "sell", 1, 2000 + i % 50, $"{label}-{i:D7}"));
                if (status != EnqueueStatus.Accepted) return Fail($"order {i} refused: {status}");
                if (i % rate == 0) Console.Error.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F1}s] enqueued {i:N0}, buffered " +
                    $"{sender.BufferedOrders:N0}");
            }
            while (!await sender.FlushAsync().WaitAsync(TimeSpan.FromMinutes(5))) { }
        }
        var elapsed = clock.Elapsed;
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        // Rows: every id once, in enqueue order (ids ascend with the row id).
        var client = new OrderFunctionsClient(endpoint);
        var rows = 0;
        var duplicates = 0;
        var outOfOrder = 0;
        string? previous = null;
        var seen = new HashSet<string>();
        await foreach (var page in client.ListAllOrdersAsync(new OrderQuery { Username = label, Limit = 1000 }))
        {
            foreach (var order in page.GetValueOrThrow().Items)
            {
                rows++;
                if (!seen.Add(order.ClientOrderId!)) duplicates++;
                if (previous is not null && string.CompareOrdinal(order.ClientOrderId, previous) < 0) outOfOrder++;
                previous = order.ClientOrderId;
            }
        }
        Report("outage", count, elapsed, used, null, $"rows={rows} duplicates={duplicates} out_of_order={outOfOrder}");
        return rows == count && duplicates == 0 && outOfOrder == 0 ? 0 : 1;
    }

    /// <param name="threadsAtStart">The threads' CPU when the clock started (<see cref="ThreadCpu"/>), or null: printed is what each took since.</param>
    private static void Report(string label, int count, TimeSpan elapsed, TimeSpan cpu, SortedDictionary<string, long>? threadsAtStart, string extra)
    {
        var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: orders={count} seconds={elapsed.TotalSeconds:F2} orders_per_s={count / elapsed.TotalSeconds:F0} " +
            $"cpu_us_per_order={cpu.TotalMicroseconds / count:F2} peak_rss_mb={process.PeakWorkingSet64 / 1048576.0:F0} {extra}"));
        if (ThreadCpu.MillisecondsByName() is { } threads)
        {
            var used = threads.Select(p => (p.Key, Ms: p.Value - (threadsAtStart?.GetValueOrDefault(p.Key) ?? 0))).Where(p => p.Ms > 0);
            Console.WriteLine($"{label}: CPU ms by thread {(threadsAtStart is null ? "since the process started" : "while measured")}: " +
                string.Join(", ", used.Select(p => $"{p.Key}={p.Ms}")));
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        return 1;
    }
}
