using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;

namespace OrderClient;

/// <summary>Latency percentiles in milliseconds, from the merged HdrHistogram of every sender.</summary>
public sealed record LatencySummary(
    [property: JsonPropertyName("p50")] double P50,
    [property: JsonPropertyName("p90")] double P90,
    [property: JsonPropertyName("p99")] double P99,
    [property: JsonPropertyName("p99.9")] double P999,
    [property: JsonPropertyName("max")] double Max,
    [property: JsonPropertyName("mean")] double Mean);

/// <summary>
/// The result of a load run. <see cref="Requests"/> and <see cref="Orders"/> count every request sent (answered or
/// not); throughput divides them by the elapsed time; the <c>Accepted*</c> figures count 2xx answers only. A request
/// that never got a connection (refused, unknown host) was not sent: it counts in <see cref="NotSent"/> only. Latency
/// covers every answered request, whatever its status; transport errors (no answer) are counted apart, and
/// <see cref="Error"/> describes the first one in words.
/// </summary>
public sealed record LoadReport(
    int Connections,
    double DurationSeconds,
    double? TargetRate,
    int Batch,
    double ElapsedSeconds,
    long Requests,
    long Orders,
    long AcceptedRequests,
    long AcceptedOrders,
    double RequestsPerSecond,
    double OrdersPerSecond,
    double AcceptedOrdersPerSecond,
    [property: JsonPropertyName("latencyMs")] LatencySummary Latency,
    IReadOnlyDictionary<string, long> StatusCodes,
    IReadOnlyDictionary<string, long> TransportErrors,
    long NotSent = 0,
    string? Error = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { WriteIndented = true };

    internal static LoadReport From(LoadSettings settings, IReadOnlyList<LoadGenerator.Sender> senders, TimeSpan elapsed)
    {
        var histogram = new LongHistogram(3_600_000_000, 3);
        var statuses = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long requests = 0, orders = 0, acceptedRequests = 0, acceptedOrders = 0, notSent = 0;
        string? error = null;
        foreach (var sender in senders)
        {
            notSent += sender.NotSent;
            error ??= sender.FirstError;
            histogram.Add(sender.Histogram);
            requests += sender.Requests;
            orders += sender.Orders;
            acceptedRequests += sender.SucceededRequests;
            acceptedOrders += sender.SucceededOrders;
            foreach (var (status, count) in sender.Statuses)
            {
                var key = status.ToString(CultureInfo.InvariantCulture);
                statuses[key] = statuses.GetValueOrDefault(key) + count;
            }
            foreach (var (kind, count) in sender.TransportErrors) errors[kind] = errors.GetValueOrDefault(kind) + count;
        }
        return Create(settings, elapsed, requests, orders, acceptedRequests, acceptedOrders, histogram, statuses, errors, notSent, error);
    }

    /// <summary>Builds a report from totals and a histogram of microseconds.</summary>
    public static LoadReport Create(
        LoadSettings settings, TimeSpan elapsed, long requests, long orders, long acceptedRequests, long acceptedOrders,
        HistogramBase microseconds, IReadOnlyDictionary<string, long> statusCodes, IReadOnlyDictionary<string, long> transportErrors,
        long notSent = 0, string? error = null)
    {
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        var empty = microseconds.TotalCount == 0;
        double Ms(double percentile) => empty ? 0 : Math.Round(microseconds.GetValueAtPercentile(percentile) / 1000.0, 3);
        var latency = new LatencySummary(
            Ms(50), Ms(90), Ms(99), Ms(99.9),
            empty ? 0 : Math.Round(microseconds.GetMaxValue() / 1000.0, 3),
            empty ? 0 : Math.Round(microseconds.GetMean() / 1000.0, 3));
        return new LoadReport(
            settings.Connections, settings.Duration.TotalSeconds, settings.Rate, settings.Batch, Math.Round(elapsed.TotalSeconds, 3),
            requests, orders, acceptedRequests, acceptedOrders,
            Math.Round(requests / seconds, 1), Math.Round(orders / seconds, 1), Math.Round(acceptedOrders / seconds, 1),
            latency, statusCodes, transportErrors, notSent, error);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void WriteText(TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var mode = TargetRate is { } rate
            ? string.Create(c, $"open loop at {rate:0.#} requests/s (latency from the intended send time)")
            : "closed loop (each connection sends as soon as it has an answer)";
        output.WriteLine(string.Create(c,
            $"Load: {OutputFormat.Count(Connections, "connection")}, {DurationSeconds:0.###} s, batch {Batch}, {mode}"));
        var unsent = NotSent > 0 ? string.Create(c, $", {NotSent:N0} not sent (no connection)") : "";
        output.WriteLine(string.Create(c, $"  requests     {Requests:N0} sent, {AcceptedRequests:N0} accepted (2xx){unsent}"));
        output.WriteLine(string.Create(c, $"  orders       {Orders:N0} sent, {AcceptedOrders:N0} accepted"));
        output.WriteLine(string.Create(c, $"  elapsed      {ElapsedSeconds:0.000} s"));
        output.WriteLine(string.Create(c,
            $"  throughput   {OrdersPerSecond:N1} orders/s, {RequestsPerSecond:N1} requests/s ({AcceptedOrdersPerSecond:N1} accepted orders/s)"));
        output.WriteLine(string.Create(c,
            $"  latency ms   p50 {Latency.P50:0.000}  p90 {Latency.P90:0.000}  p99 {Latency.P99:0.000}  p99.9 {Latency.P999:0.000}  max " +
            $"{Latency.Max:0.000}  mean {Latency.Mean:0.000}"));
        output.WriteLine("  status codes "
            + (StatusCodes.Count == 0 ? "none" : string.Join(", ", StatusCodes.Select(s => string.Create(c, $"{s.Key}: {s.Value:N0}")))));
        output.WriteLine("  transport errors "
            + (TransportErrors.Count == 0 ? "none" : string.Join(", ", TransportErrors.Select(s => string.Create(c, $"{s.Key}: {s.Value:N0}")))));
        if (Error is not null) output.WriteLine($"  first error  {Error}");
    }
}
