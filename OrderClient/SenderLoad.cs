using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OrderFunctions.Client;

namespace OrderClient;

/// <summary>
/// What <c>load</c> through the sender reports: orders enqueued and acknowledged, and the throughput until the last
/// acknowledgement.
/// </summary>
public sealed record SenderLoadReport(
    double DurationSeconds,
    double? TargetRate,
    int Batch,
    double ElapsedSeconds,
    long Enqueued,
    long Stored,
    long Replayed,
    long Rejected,
    long Left,
    double AcknowledgedOrdersPerSecond,
    double CpuMicrosecondsPerOrder,
    string? Error)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void WriteText(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var mode = TargetRate is { } rate ? string.Create(c, $"{rate:0.#} orders/s") : "as fast as the sender takes them";
        output.WriteLine(string.Create(c, $"Load through OrderSender: {DurationSeconds:0.###} s of enqueueing, {mode}, batches of up to {Batch:N0}"));
        output.WriteLine(string.Create(c,
            $"  orders       {Enqueued:N0} enqueued, {Stored:N0} stored, {Replayed:N0} replayed, {Rejected:N0} rejected, {Left:N0} left"));
        output.WriteLine(string.Create(c, $"  elapsed      {ElapsedSeconds:0.000} s (until the last acknowledgement)"));
        output.WriteLine(string.Create(c,
            $"  throughput   {AcknowledgedOrdersPerSecond:N1} orders/s acknowledged; " +
            $"this process's CPU {CpuMicrosecondsPerOrder:0.00} us per order"));
        if (Error is not null) output.WriteLine($"  stopped      {Error}");
    }
}

/// <summary>
/// <c>load</c> as a trading system would send: synthetic, marked orders (the same markers as <see cref="LoadGenerator"/>)
/// handed to the library's <see cref="OrderSender"/> for the duration, at the rate when one is given, then drained.
/// </summary>
public sealed class SenderLoad(HttpClient http, ApiEndpoint endpoint)
{
    /// <summary>How long the drain after the enqueueing may take before what is left is reported as left.</summary>
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(60);

    private static readonly string[] Markets = ["BTC-USD", "ETH-USD", "SOL-USD", "ADA-EUR", "XRP-USD", "DOGE-USD", "BTC-EUR", "ETH-BTC"];

    public async Task<(SenderLoadReport Report, OrderSenderStoppedEventArgs? Stopped)> RunAsync(LoadSettings settings, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed);
        var users = Enumerable.Range(0, 100).Select(i => LoadGenerator.UsernamePrefix + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var markets = Markets.Select(m => LoadGenerator.MarketPrefix + m).ToArray();
        var orders = Enumerable.Range(0, 4096).Select(_ => new OutgoingOrder(
            clock.GetUtcNow().UtcDateTime, users[random.Next(users.Length)], markets[random.Next(markets.Length)],
            random.Next(2) == 0 ? "buy" : "sell",
            random.NextInt64(1, 100_000_000_000) / 100_000_000m, random.NextInt64(1, 10_000_000) / 100m)).ToArray();

        var sender = new OrderSender(new OrderSenderOptions
        {
            Endpoint = endpoint.BaseAddress,
            Key = endpoint.Key,
            ApiKey = endpoint.ApiKey,
            MaxBatchOrders = settings.Batch,
            MaxRequestOrders = settings.Batch, // --batch is the size of a request, also when the sender is behind
            MaxBufferedOrders = Math.Max(4 * settings.Batch, 100_000),
            DrainTimeout = TimeSpan.Zero,
        }, http);
        OrderSenderStoppedEventArgs? stopped = null;
        sender.SenderStopped += (_, e) => Volatile.Write(ref stopped, e);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var start = clock.GetTimestamp();
        var end = start + (long)(settings.Duration.TotalSeconds * clock.TimestampFrequency);
        long enqueued = 0;
        try
        {
            while (clock.GetTimestamp() < end && !cancellationToken.IsCancellationRequested)
            {
                if (settings.Rate is { } rate)
                {
                    var due = start + (long)(enqueued / rate * clock.TimestampFrequency);
                    var wait = due - clock.GetTimestamp();
                    if (wait > 0)
                    {
                        await Task.Delay(TimeSpan.FromSeconds((double)wait / clock.TimestampFrequency), clock, cancellationToken);
                        continue;
                    }
                }
                var status = await sender.EnqueueAsync(orders[enqueued % orders.Length], cancellationToken);
                if (status != EnqueueStatus.Accepted) break;
                enqueued++;
            }
            using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            drain.CancelAfter(DrainTimeout);
            await sender.FlushAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C or the drain's time: what was acknowledged so far is reported, the rest as left.
        }
        var left = await sender.StopAsync(TimeSpan.Zero);
        var elapsed = clock.GetElapsedTime(start);
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        var acknowledged = sender.StoredCount + sender.ReplayedCount;
        var report = new SenderLoadReport(
            settings.Duration.TotalSeconds, settings.Rate, settings.Batch, Math.Round(elapsed.TotalSeconds, 3), enqueued,
            sender.StoredCount, sender.ReplayedCount, sender.RejectedCount, left.OrdersLeft,
            Math.Round(acknowledged / Math.Max(elapsed.TotalSeconds, 1e-9), 1),
            Math.Round(used.TotalMicroseconds / Math.Max(enqueued, 1), 2), Volatile.Read(ref stopped)?.Reason);
        return (report, Volatile.Read(ref stopped));
    }
}
