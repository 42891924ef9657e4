using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using HdrHistogram;
using Polly.Timeout;

namespace OrderClient;

/// <summary>What <c>OrderClient load</c> was asked to do.</summary>
public sealed record LoadSettings(int Connections, TimeSpan Duration, double? Rate, int Batch, int Seed = 1)
{
    public static readonly TimeSpan DefaultDuration = TimeSpan.FromSeconds(10);
}

/// <summary>
/// C senders, each with its own request in flight, post synthetic orders for a duration. Closed loop without a rate
/// (each sender sends again as soon as it has an answer); open loop with one: each sender has a schedule of intended
/// send times, and latency is measured from the intended time, so a slow answer that delays the next send is
/// charged to the server instead of silently thinning the sample (coordinated omission).
/// </summary>
public sealed class LoadGenerator(HttpClient http, ApiEndpoint endpoint)
{
    // Latencies are recorded in microseconds, up to one hour, to 3 significant digits.
    private const long HighestMicroseconds = 3_600_000_000;
    /// <summary>Every load order's username starts with this, so load orders can be told apart and deleted.</summary>
    public const string UsernamePrefix = "loadtest-";

    /// <summary>Every load order's market starts with this: load never writes into a real market's statistics.</summary>
    public const string MarketPrefix = "LOADTEST-";

    private static readonly string[] Markets =
        [.. new[] { "BTC-USD", "ETH-USD", "SOL-USD", "ADA-EUR", "XRP-USD", "DOGE-USD", "BTC-EUR", "ETH-BTC" }.Select(m => MarketPrefix + m)];

    /// <summary>Whether <paramref name="url"/> names this machine (localhost, 127.0.0.0/8, ::1): load needs no flag there.</summary>
    public static bool IsLoopback(Uri url) =>
        url.IsLoopback || (System.Net.IPAddress.TryParse(url.DnsSafeHost, out var address) && System.Net.IPAddress.IsLoopback(address));

    public async Task<LoadReport> RunAsync(LoadSettings settings, TimeProvider clock, CancellationToken cancellationToken)
    {
        var bodies = CreateBodies(settings, clock);
        var senders = new Sender[settings.Connections];
        for (var i = 0; i < senders.Length; i++) senders[i] = new Sender();

        var durationTicks = (long)(settings.Duration.TotalSeconds * clock.TimestampFrequency);
        // Per sender: the gap between its intended sends, so that all senders together make the target rate.
        var intervalTicks = settings.Rate is { } rate ? (long)(clock.TimestampFrequency * settings.Connections / rate) : 0;
        var start = clock.GetTimestamp();
        var end = start + durationTicks;
        var tasks = new Task[senders.Length];
        for (var i = 0; i < senders.Length; i++)
        {
            var sender = senders[i];
            var first = start + (intervalTicks * i / settings.Connections); // staggered, so the senders do not fire in step
            var offset = i * 7919;
            tasks[i] = Task.Run(() => SendLoopAsync(sender, bodies, offset, first, intervalTicks, end, settings.Batch, clock, cancellationToken),
                CancellationToken.None);
        }
        await Task.WhenAll(tasks);
        var elapsed = clock.GetElapsedTime(start);
        return LoadReport.From(settings, senders, elapsed);
    }

    private async Task SendLoopAsync(Sender sender, byte[][] bodies, int offset, long next, long intervalTicks, long end, int batch,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var index = offset;
        while (!cancellationToken.IsCancellationRequested)
        {
            long intended;
            if (intervalTicks > 0)
            {
                if (next >= end) break;
                var wait = next - clock.GetTimestamp();
                if (wait > 0)
                {
                    try { await Task.Delay(TimeSpan.FromSeconds((double)wait / clock.TimestampFrequency), clock, cancellationToken); }
                    catch (OperationCanceledException) { break; }
                }
                intended = next;
                next += intervalTicks;
            }
            else
            {
                intended = clock.GetTimestamp();
                if (intended >= end) break;
            }

            var body = bodies[index++ % bodies.Length];
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.OrdersUrl) { Content = content };
            if (endpoint.Key is { Length: > 0 } key) request.Headers.TryAddWithoutValidation(ApiEndpoint.KeyHeader, key);
            if (endpoint.ApiKey is { Length: > 0 } apiKey) request.Headers.TryAddWithoutValidation(OrderFunctions.Http.OrderHeaders.ApiKey, apiKey);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                await response.Content.CopyToAsync(Stream.Null, cancellationToken);
                var micros = (clock.GetTimestamp() - intended) * 1_000_000 / clock.TimestampFrequency;
                sender.Requests++;
                sender.Orders += batch;
                sender.Histogram.RecordValue(Math.Clamp(micros, 1, HighestMicroseconds));
                var status = (int)response.StatusCode;
                sender.Statuses[status] = sender.Statuses.GetValueOrDefault(status) + 1;
                if (response.IsSuccessStatusCode)
                {
                    sender.SucceededRequests++;
                    sender.SucceededOrders += batch;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or OperationCanceledException or IOException)
            {
                var kind = ex switch
                {
                    HttpRequestException { HttpRequestError: var error } when error != HttpRequestError.Unknown => error.ToString(),
                    HttpRequestException => "HttpRequestException",
                    TimeoutRejectedException or OperationCanceledException => "Timeout",
                    _ => ex.GetType().Name,
                };
                sender.TransportErrors[kind] = sender.TransportErrors.GetValueOrDefault(kind) + 1;
                sender.FirstError ??= Describe(ex, endpoint.OrdersUrl);
                // A request that never had a connection was not sent: it counts apart, not in the requests or the throughput.
                if (NeverSent(ex))
                {
                    sender.NotSent++;
                }
                else
                {
                    sender.Requests++;
                    sender.Orders += batch;
                }
            }
        }
    }

    /// <summary>A transport failure in plain words: what was tried and why it failed.</summary>
    private static string Describe(Exception ex, Uri url)
    {
        var where = url.GetLeftPart(UriPartial.Path);
        return ex switch
        {
            HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } =>
                $"could not connect to {where}: connection refused (is the server running on that port?)",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => $"could not resolve the host of {where}",
            HttpRequestException http => $"could not reach {where}: {http.Message}",
            TimeoutRejectedException or OperationCanceledException => $"{where} did not answer in time",
            _ => $"could not reach {where}: {ex.Message}",
        };
    }

    private static bool NeverSent(Exception ex) => ex is HttpRequestException
    {
        HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError,
    } or HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };

    /// <summary>A pool of serialized request bodies, made before the clock starts, so the hot path only copies bytes.</summary>
    public static byte[][] CreateBodies(LoadSettings settings, TimeProvider clock)
    {
        var random = new Random(settings.Seed);
        var count = Math.Clamp(200_000 / settings.Batch, 16, 1024);
        var timestamp = OrderDraft.TimestampNow(clock);
        var bodies = new byte[count][];
        var buffer = new ArrayBufferWriter<byte>(settings.Batch * 160);
        for (var b = 0; b < count; b++)
        {
            buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                if (settings.Batch > 1) writer.WriteStartArray();
                for (var o = 0; o < settings.Batch; o++)
                {
                    writer.WriteStartObject();
                    writer.WriteString("timestamp", timestamp);
                    writer.WriteString("username", UsernamePrefix + random.Next(100).ToString(CultureInfo.InvariantCulture));
                    writer.WriteString("market", Markets[random.Next(Markets.Length)]);
                    writer.WriteString("side", random.Next(2) == 0 ? "buy" : "sell");
                    // Valid decimals: up to 8 fraction digits for the size, 2 for the price, both positive.
                    writer.WriteNumber("size", random.NextInt64(1, 100_000_000_000) / 100_000_000m);
                    writer.WriteNumber("price", random.NextInt64(1, 10_000_000) / 100m);
                    writer.WriteEndObject();
                }
                if (settings.Batch > 1) writer.WriteEndArray();
            }
            bodies[b] = buffer.WrittenSpan.ToArray();
        }
        return bodies;
    }

    /// <summary>One sender's counters: written by that sender only, merged once at the end.</summary>
    internal sealed class Sender
    {
        public LongHistogram Histogram { get; } = new(HighestMicroseconds, 3);
        public Dictionary<int, long> Statuses { get; } = [];
        public Dictionary<string, long> TransportErrors { get; } = [];
        public long Requests { get; set; }
        public long NotSent { get; set; }
        public string? FirstError { get; set; }
        public long Orders { get; set; }
        public long SucceededRequests { get; set; }
        public long SucceededOrders { get; set; }
    }
}
