using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;

// Fills a store with orders through the service's own writer, starts the standalone host on it, and prints the time
// each read takes at the server (its Server-Timing header) and, for reference, at the client over loopback.
// Usage: ReadBench <standalone-dll> [--orders N] [--calls N] [--write-cost] [--random-timestamps]
//        [--over-time-only] (only the statistics-over-time shapes)  [--export-rss] (only the export's memory and rate)
var hostDll = args[0];
var orderCount = IntOption("--orders", 1_000_000);
var calls = IntOption("--calls", 200);
const int Markets = 50, Users = 1000, Days = 30;
var start = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
var randomTimestamps = args.Contains("--random-timestamps");
var indexUsername = args.Contains("--index-username"); // OrderStorage:IndexUsername
var database = Path.Combine(Path.GetTempPath(), $"orders-readbench-{Environment.ProcessId}.db");

try
{
    Console.WriteLine($"Filling {database} with {orderCount:N0} orders ({Markets} markets, {Users} users, {Days} days, timestamps "
        + (randomTimestamps ? "random, not in id order)" : "in arrival order with up to a minute of jitter)"));
    var rate = await FillAsync(database, orderCount, dropReadIndexes: false);
    Console.WriteLine($"  written through OrderWriteQueue + SqliteOrderWriter at {rate:N0} orders/s " +
        $"(batches of 10,000, with the read indexes{(indexUsername ? " and IX_Orders_username" : "")})");
    if (args.Contains("--write-cost"))
    {
        var other = database + ".noidx.db";
        var without = await FillAsync(other, orderCount, dropReadIndexes: true);
        Console.WriteLine($"  same fill without IX_Orders_market_timestamp: {without:N0} orders/s");
        DeleteDatabase(other);
    }
    await BenchmarkAsync(database, orderCount);
}
finally
{
    DeleteDatabase(database);
}

int IntOption(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

async Task<double> FillAsync(string path, int count, bool dropReadIndexes)
{
    var random = new Random(20261128);
    var engine = new SqliteOrderWriter(Options.Create(
        new SqliteOrderStoreOptions { ConnectionString = $"Data Source={path}", IndexUsername = indexUsername }));
    using var repository = new OrderWriteQueue<SqlitePreparedWrite>(engine, Options.Create(new OrderStorageOptions()),
        NullLogger<OrderWriteQueue>.Instance);
    await repository.AddAsync(MakeOrder(random, 0, count)); // creates the schema
    if (dropReadIndexes)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var drop = connection.CreateCommand();
        drop.CommandText = "DROP INDEX IX_Orders_market_timestamp;";
        drop.ExecuteNonQuery();
    }

    var clock = Stopwatch.StartNew();
    var pending = new List<Task>();
    for (var written = 1; written < count;)
    {
        var batch = new Order[Math.Min(10_000, count - written)];
        for (var i = 0; i < batch.Length; i++) batch[i] = MakeOrder(random, written + i, count);
        written += batch.Length;
        pending.Add(repository.AddManyAsync(batch));
        if (pending.Count == 4)
        {
            await pending[0];
            pending.RemoveAt(0);
        }
    }
    await Task.WhenAll(pending);
    return (count - 1) / clock.Elapsed.TotalSeconds;
}

// Live ingestion: timestamps follow arrival (the i-th of n orders at i/n of the period) give or take a minute;
// --random-timestamps spreads them at random instead, the worst case for IX_Orders_market_timestamp's inserts.
Order MakeOrder(Random random, int index, int count) => new(
    randomTimestamps
        ? start.AddTicks(random.NextInt64(TimeSpan.FromDays(Days).Ticks))
        : start.AddTicks(TimeSpan.FromDays(Days).Ticks / count * index + random.NextInt64(-TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute)),
    $"user{random.Next(Users):D4}",
    $"MKT{random.Next(Markets):D2}-USD",
    random.Next(2) == 0 ? "buy" : "sell",
    random.NextInt64(1, 1_000_000_000_000) / 100_000_000m,
    random.NextInt64(1, 10_000_000_000_000) / 100_000_000m);

async Task BenchmarkAsync(string path, int count)
{
    var port = FreePort();
    var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    info.ArgumentList.Add(hostDll);
    info.ArgumentList.Add("--urls");
    info.ArgumentList.Add($"http://127.0.0.1:{port}");
    info.Environment["ConnectionStrings__Orders"] = $"Data Source={path}";
    info.Environment["Logging__LogLevel__Default"] = "Warning";
    using var host = Process.Start(info)!;
    host.OutputDataReceived += (_, _) => { };
    host.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("host: " + e.Data); };
    host.BeginOutputReadLine();
    host.BeginErrorReadLine();
    try
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        for (var attempt = 0; ; attempt++)
        {
            try { (await http.GetAsync("/API/orders/1")).EnsureSuccessStatusCode(); break; }
            catch (HttpRequestException) when (attempt < 100) { await Task.Delay(200); }
        }

        var random = new Random(7);
        string Market() => $"MKT{random.Next(Markets):D2}-USD";
        string User() => $"user{random.Next(Users):D4}";
        string OneDay() { var d = random.Next(Days); return $"from={At(d)}&to={At(d + 1)}"; }
        string At(int day) => start.AddDays(day).ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

        if (args.Contains("--export-rss"))
        {
            await ExportRssAsync(http, host, count);
            return;
        }

        Console.WriteLine();
        Console.WriteLine($"{"request (random parameters per call)",-58} {"calls",5} {"server median",13} {"server p90",10} " +
            $"{"client median",13} {"client p90",10} {"items",6}");
        // Statistics over time (issue 21): the target is one market-day in 1m buckets under 100 ms at 1,000,000 orders.
        await Measure(http, "stats over time: one market-day, 1m buckets", calls,
            () => $"/API/orders/stats?interval=1m&market={Market()}&{OneDay()}");
        await Measure(http, "stats over time: one market-day, 5m buckets", calls,
            () => $"/API/orders/stats?interval=5m&market={Market()}&{OneDay()}");
        await Measure(http, "stats over time: one market, 30 days, 1h buckets", Math.Max(calls / 10, 5),
            () => $"/API/orders/stats?interval=1h&market={Market()}");
        await Measure(http, "stats over time: all markets, one day, 1h (first page)", Math.Max(calls / 10, 5),
            () => $"/API/orders/stats?interval=1h&{OneDay()}");
        if (args.Contains("--over-time-only")) return;
        await Measure(http, "one order: GET /API/orders/{id}", calls, () => $"/API/orders/{random.Next(1, count + 1)}");
        await Measure(http, "page of 100: market + username", calls, () => $"/API/orders?market={Market()}&username={User()}&limit=100");
        await Measure(http, "page of 100: market + from/to (one day)", calls, () => $"/API/orders?market={Market()}&{OneDay()}&limit=100");
        await Measure(http, "page of 100: username", calls, () => $"/API/orders?username={User()}&limit=100");
        await Measure(http, "page of 100: market", calls, () => $"/API/orders?market={Market()}&limit=100");
        await Measure(http, "page of 100: no filter, after a random cursor", calls,
            () => $"/API/orders?limit=100&after={OrderFunctions.Http.PageCursor.Encode(random.Next(1, count))}");
        await Measure(http, "stats: one market, one day", calls, () => $"/API/orders/stats?market={Market()}&{OneDay()}");
        await Measure(http, "stats: one market, all 30 days", Math.Max(calls / 10, 5), () => $"/API/orders/stats?market={Market()}");
        await Measure(http, "stats: all markets, one day", Math.Max(calls / 10, 5), () => $"/API/orders/stats?{OneDay()}");
        await Measure(http, "stats: all markets, all 30 days", 5, () => "/API/orders/stats");
    }
    finally
    {
        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync();
    }
}

// The export's memory: downloads the whole store as CSV, reading it as it arrives, while sampling the host's RSS
// (/proc/<pid>/status VmRSS) every 50 ms; prints rows, bytes, rate, and RSS before, at peak and after.
static async Task ExportRssAsync(HttpClient http, Process host, int count)
{
    static long RssKb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
                CultureInfo.InvariantCulture);
        }
        return 0;
    }

    // Warm up the host (JIT of the read path) with a small export first.
    using (var warm = await http.GetAsync("/API/orders/export?format=csv&market=MKT00-USD&from=2026-10-01T00:00Z&to=2026-10-01T01:00Z"))
    {
        warm.EnsureSuccessStatusCode();
    }
    var before = RssKb(host.Id);
    var peak = before;
    using var sampling = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!sampling.IsCancellationRequested)
        {
            peak = Math.Max(peak, RssKb(host.Id));
            try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
        }
    });

    foreach (var format in new[] { "csv", "ndjson" })
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync($"/API/orders/export?format={format}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long bytes = 0, lines = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
        }
        var seconds = clock.Elapsed.TotalSeconds;
        var rows = format == "csv" ? lines - 1 : lines;
        Console.WriteLine($"export {format}: {rows:N0} rows ({count:N0} stored), {bytes / 1048576.0:N1} MiB in {seconds:N2} s = " +
            $"{rows / seconds:N0} rows/s, {bytes / 1048576.0 / seconds:N1} MiB/s");
    }
    sampling.Cancel();
    await sampler;
    Console.WriteLine($"host RSS: {before / 1024.0:N1} MiB before, {peak / 1024.0:N1} MiB peak during both exports, {RssKb(host.Id) / 1024.0:N1} " +
        "MiB after");
}

static async Task Measure(HttpClient http, string name, int count, Func<string> url)
{
    // Warm-up: JIT, connection pool, first page reads.
    for (var i = 0; i < Math.Min(20, count); i++) await Fetch(http, url());
    var server = new double[count];
    var client = new double[count];
    long items = 0;
    for (var i = 0; i < count; i++)
    {
        (server[i], client[i], var n) = await Fetch(http, url());
        items += n;
    }
    Console.WriteLine($"{name,-58} {count,5} {Ms(Percentile(server, 0.5)),13} {Ms(Percentile(server, 0.9)),10} " +
        $"{Ms(Percentile(client, 0.5)),13} {Ms(Percentile(client, 0.9)),10} {items / (double)count,6:0.#}");
}

static async Task<(double Server, double Client, int Items)> Fetch(HttpClient http, string url)
{
    var clock = Stopwatch.StartNew();
    using var response = await http.GetAsync(url);
    var body = await response.Content.ReadAsStringAsync();
    var client = clock.Elapsed.TotalMilliseconds;
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{url}: {(int)response.StatusCode} {body}");
    var timing = response.Headers.GetValues("Server-Timing").Single();
    var server = double.Parse(timing[(timing.IndexOf("dur=", StringComparison.Ordinal) + 4)..], CultureInfo.InvariantCulture);
    var items = body.StartsWith("{\"items\"", StringComparison.Ordinal) ? CountOf(body, "\"id\":")
        : body.StartsWith("{\"markets\"", StringComparison.Ordinal) ? CountOf(body, "\"market\":")
        : body.StartsWith("{\"interval\"", StringComparison.Ordinal) ? CountOf(body, "\"start\":")
        : 1;
    return (server, client, items);
}

static int CountOf(string text, string what)
{
    var n = 0;
    for (var i = text.IndexOf(what, StringComparison.Ordinal); i >= 0; i = text.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
    return n;
}

static double Percentile(double[] values, double p)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)Math.Ceiling(p * sorted.Length) - 1];
}

static string Ms(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

static int FreePort()
{
    using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
    listener.Start();
    return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
}

static void DeleteDatabase(string path)
{
    SqliteConnection.ClearAllPools();
    foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
}
