using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrderFunctions.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>
/// The typed request/response client of the orders API: post one order or a batch, read one, list, statistics (per market and over
/// time), the export and health. Every method returns an <see cref="OrderResponse{T}"/> and throws only for the caller's own
/// cancellation: a 4xx/5xx is a typed <see cref="OrderProblem"/>, an unreachable server a <see cref="OrderResponse{T}.TransportError"/>.
/// Orders are validated locally by the server's own <see cref="OrderValidator"/> first, so a bad order never leaves.
/// </summary>
public sealed class OrderFunctionsClient
{
    // A field the server always sends may not be null: an answer with one is not the orders API's (RespectNullableAnnotations).
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web) { RespectNullableAnnotations = true };
    private readonly HttpClient _http;
    private readonly OrderFunctionsClientOptions _options;

    /// <summary>A client over <paramref name="http"/> (from IHttpClientFactory, or one the caller keeps for the process's life).</summary>
    public OrderFunctionsClient(HttpClient http, OrderFunctionsClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _options = options;
    }

    /// <summary>A client with its own keep-alive connection pool.</summary>
    public OrderFunctionsClient(Uri endpoint, string? key = null)
        : this(new HttpClient(SenderHttp.CreateHandler()) { Timeout = Timeout.InfiniteTimeSpan },
            new OrderFunctionsClientOptions { Endpoint = endpoint, Key = key })
    {
    }

    /// <summary>The endpoint, key and timeout this client calls with.</summary>
    public OrderFunctionsClientOptions Options => _options;

    /// <summary>
    /// <c>POST /API/orders</c> with one order: 201 with the stored order, or 200 with <see cref="OrderResponse{T}.Replayed"/>
    /// when the same clientOrderId and content were stored before. An invalid order is answered locally (400, status
    /// from the server's rules) without a request.
    /// </summary>
    public async Task<OrderResponse<StoredOrder>> CreateOrderAsync(OrderRequest order, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(order);
        var errors = new ValidationErrors();
        if (OrderValidator.Validate(order, errors) is null) return Invalid<StoredOrder>(errors);
        var body = JsonSerializer.SerializeToUtf8Bytes(order, Json);
        var response = await PostAsync(OrderRoutes.Orders, body, "application/json", cancellationToken).ConfigureAwait(false);
        return Read<StoredOrder>(response, "the stored order", IsComplete);
    }

    /// <summary>
    /// <c>POST /API/orders/batch</c>: all orders stored or none; the answer lists them in input order. Invalid orders are
    /// answered locally with errors keyed <c>[i].field</c>, as the server would.
    /// </summary>
    public async Task<OrderResponse<IReadOnlyList<StoredOrder>>> CreateOrdersAsync(IReadOnlyList<OrderRequest> orders,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var errors = new ValidationErrors();
        for (var i = 0; i < orders.Count; i++) OrderValidator.Validate(orders[i], errors, i);
        if (!errors.IsEmpty) return Invalid<IReadOnlyList<StoredOrder>>(errors);
        var body = JsonSerializer.SerializeToUtf8Bytes(orders, Json);
        var response = await PostBatchAsync(body, cancellationToken).ConfigureAwait(false);
        return Read<IReadOnlyList<StoredOrder>>(response, $"a JSON array of the {orders.Count} stored orders",
            stored => stored.Count == orders.Count && stored.All(IsComplete));
    }

    /// <summary><c>GET /API/orders/{id}</c>: the stored order, or a 404 problem.</summary>
    public async Task<OrderResponse<StoredOrder>> GetOrderAsync(long id, CancellationToken cancellationToken = default) =>
        Read<StoredOrder>(
            await GetAsync($"{OrderRoutes.Orders}/{id.ToString(System.Globalization.CultureInfo.InvariantCulture)}", null, cancellationToken)
                .ConfigureAwait(false),
            "an order", IsComplete);

    /// <summary>
    /// <c>GET /API/orders</c>: one page, oldest first; pass <see cref="OrderPage.Next"/> as <see cref="OrderQuery.After"/> for the next.
    /// </summary>
    public async Task<OrderResponse<OrderPage>> ListOrdersAsync(OrderQuery? query = null, CancellationToken cancellationToken = default) =>
        Read<OrderPage>(await GetAsync(OrderRoutes.Orders, (query ?? new()).ToQueryString(), cancellationToken).ConfigureAwait(false),
            """a page of orders ({"items":[...],"next":...})""", page => page.Items is not null && page.Items.All(IsComplete));

    /// <summary>
    /// Every page of a listing, following the cursor; stops at the first failed page (which it yields). A page the store
    /// holds back (<see cref="HeldBackPages"/>) is asked for again after a pause, up to
    /// <see cref="OrderFunctionsClientOptions.HeldBackPatience"/>, then yielded as the last.
    /// </summary>
    public async IAsyncEnumerable<OrderResponse<OrderPage>> ListAllOrdersAsync(OrderQuery? query = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var next = query ?? new();
        var heldBack = 0;
        var heldBackSince = 0L;
        while (true)
        {
            var page = await ListOrdersAsync(next, cancellationToken).ConfigureAwait(false);
            // A page the store held back is not yielded: ask again after a pause, until the patience runs out.
            if (page.IsSuccess && HeldBackPages.IsHeldBack(page.Value!, next.After))
            {
                if (heldBack == 0) heldBackSince = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(heldBackSince) < _options.HeldBackPatience)
                {
                    await Task.Delay(HeldBackPages.Delay(heldBack++), cancellationToken).ConfigureAwait(false);
                    continue;
                }
            }
            heldBack = 0;
            yield return page;
            if (!page.IsSuccess || page.Value!.Next is null || HeldBackPages.IsHeldBack(page.Value, next.After)) yield break;
            next = next with { After = page.Value.Next };
        }
    }

    /// <summary><c>GET /API/orders/stats</c>: a page of per-market statistics.</summary>
    public async Task<OrderResponse<OrderStatsReport>> GetStatsAsync(OrderQuery? query = null, CancellationToken cancellationToken = default) =>
        Read<OrderStatsReport>(await GetAsync(OrderRoutes.Stats, (query ?? new()).ToQueryString(), cancellationToken).ConfigureAwait(false),
            """per-market stats ({"markets":[...]})""", report => report.Markets is not null && report.Markets.All(IsComplete));

    /// <summary>
    /// <c>GET /API/orders/stats?interval=</c>: a page of per-market statistics in UTC-aligned buckets (<c>1m</c>, <c>5m</c>,
    /// <c>1h</c>, <c>1d</c>), exact decimals; pass <see cref="StatsBucketReport.Next"/> as <see cref="OrderQuery.After"/> for the next page.
    /// </summary>
    public async Task<OrderResponse<StatsBucketReport>> GetStatsOverTimeAsync(string interval, OrderQuery? query = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(interval);
        var queryString = (query ?? new()).ToQueryString();
        queryString += $"{(queryString.Length == 0 ? '?' : '&')}interval={Uri.EscapeDataString(interval)}";
        return Read<StatsBucketReport>(await GetAsync(OrderRoutes.Stats, queryString, cancellationToken).ConfigureAwait(false),
            """stats over time ({"interval":...,"buckets":[...]})""", report => report.Buckets is not null && report.Buckets.All(b => b is not null));
    }

    /// <summary>
    /// <c>GET /API/orders/export?format=csv|ndjson</c>: every order matching the filters (one snapshot), streamed into
    /// <paramref name="destination"/> as it arrives; the value is the number of bytes written. The request timeout bounds
    /// the wait for the answer's headers only, so a long export is limited by <paramref name="cancellationToken"/> alone.
    /// A failure after the first byte (the server aborts a broken export) is a transport error: discard what was written.
    /// </summary>
    public async Task<OrderResponse<long>> ExportAsync(Stream destination, string format = "csv", OrderQuery? query = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentException.ThrowIfNullOrEmpty(format);
        var queryString = (query ?? new()).ToQueryString();
        queryString += $"{(queryString.Length == 0 ? '?' : '&')}format={Uri.EscapeDataString(format)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, _options.RouteUrl(OrderRoutes.Export, queryString));
        if (_options.Key is { Length: > 0 } key) request.Headers.TryAddWithoutValidation(OrderHeaders.FunctionKey, key);
        if (_options.ApiKey is { Length: > 0 } apiKey) request.Headers.TryAddWithoutValidation(OrderHeaders.ApiKey, apiKey);
        try
        {
            HttpResponseMessage response;
            using (var headersTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                headersTimeout.CancelAfter(_options.RequestTimeout);
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, headersTimeout.Token).ConfigureAwait(false);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
                    return new(status, 0, false, OrderProblem.Parse(body, status, response.ReasonPhrase), null, response.Headers.RetryAfter?.Delta);
                }
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                var buffer = new byte[81920];
                long written = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    written += read;
                }
                var snapshot = response.Headers.TryGetValues(ExportFormat.SnapshotHeader, out var values)
                    && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None,
                        System.Globalization.CultureInfo.InvariantCulture, out var id)
                    ? id
                    : (long?)null;
                return new(status, written, false, null, null, null) { SnapshotMaxId = snapshot };
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            return new(0, 0, false, null, Describe(ex, request.RequestUri), null);
        }
    }

    /// <summary><c>GET /API/health</c>: the status (<c>healthy</c>), or a 503 problem with Retry-After.</summary>
    public async Task<OrderResponse<string>> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        var response = await GetAsync("health", null, cancellationToken).ConfigureAwait(false);
        if (response.Status is >= 200 and < 300)
        {
            try
            {
                using var document = JsonDocument.Parse(response.Body);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("status", out var status)
                    && status.ValueKind == JsonValueKind.String)
                {
                    return new(response.Status, status.GetString(), false, null, null, null);
                }
            }
            catch (JsonException)
            {
            }
            return new(response.Status, null, false, null, $"{_options.Endpoint} answered {response.Status} without a health report", null);
        }
        return new(response.Status, null, false, response.Problem, response.TransportError, response.RetryAfter);
    }

    private static OrderResponse<T> Invalid<T>(ValidationErrors errors) =>
        new(400, default, false, OrderProblem.Invalid(errors.ToDictionary()), null, null);

    private OrderResponse<T> Read<T>(RawResponse response, string expected, Func<T, bool> isComplete)
    {
        if (response.Status is >= 200 and < 300)
        {
            string why;
            try
            {
                var value = JsonSerializer.Deserialize<T>(response.Body, Json);
                if (value is not null && isComplete(value))
                {
                    return new(response.Status, value, response.Replayed, null, null, null) { Body = response.Body };
                }
                why = value is null ? "the body is null" : "fields it must have are missing";
            }
            catch (JsonException ex)
            {
                why = ex.Message;
            }
            // Another service, a proxy's page, the wrong route: say what answered instead of pretending it was an order.
            var status = response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var excerpt = BatchAnswerReader.Excerpt(response.Body, response.MediaType);
            var what = $"{response.Url} answered {status}, but not with {expected} ({why}); it sent {excerpt}";
            return new(response.Status, default, false, null, what, null)
            {
                Body = response.Body,
            };
        }
        return new(response.Status, default, false, response.Problem, response.TransportError, response.RetryAfter) { Body = response.Body };
    }

    private static bool IsComplete(StoredOrder? order) =>
        order is { Id: > 0, Username: not null, Market: not null, Side: not null } && order.Timestamp != default;

    private static bool IsComplete(MarketStats? market) =>
        market is { Market: not null } && market.FirstTimestamp != default && market.LastTimestamp != default;

    // A server from before POST /API/orders/batch answers it 404 or 405; its POST /API/orders takes the same JSON array,
    // all or nothing. Remembered, so the probe costs one request per client.
    private volatile bool _batchRouteMissing;

    /// <summary>POSTs a JSON array of orders to the batch route (or to the orders route on a server without it).</summary>
    internal async Task<RawResponse> PostBatchAsync(ReadOnlyMemory<byte> jsonArray, CancellationToken cancellationToken)
    {
        if (!_batchRouteMissing)
        {
            var response = await PostAsync(OrderRoutes.Batch, jsonArray, "application/json", cancellationToken).ConfigureAwait(false);
            if (response.Status is not (404 or 405)) return response;
            _batchRouteMissing = true;
        }
        return await PostAsync(OrderRoutes.Orders, jsonArray, "application/json", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The sender's batch POST: like <see cref="PostBatchAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, but it asks
    /// for the minimal answer (<c>Prefer: return=minimal</c>: an <see cref="OrderBatchReceipt"/>), and a 2xx body is read
    /// into <paramref name="answer"/>'s reused buffer and only checked (the receipt, or from a server that ignores the
    /// preference a JSON array of <paramref name="count"/> stored orders), never kept: <see cref="RawResponse.Unexpected"/>
    /// says what is wrong with it.
    /// <paramref name="precedingOrder"/>: an <see cref="OrderHeaders.IfOrderStored"/> value (see <see cref="PrecedingOrder"/>),
    /// or null.
    /// </summary>
    internal async Task<RawResponse> PostBatchAsync(ReadOnlyMemory<byte> jsonArray, int count, BatchAnswerReader answer,
        string? precedingOrder, CancellationToken cancellationToken)
    {
        if (!_batchRouteMissing)
        {
            var response = await PostAsync(OrderRoutes.Batch, jsonArray, "application/json", cancellationToken, answer, count, precedingOrder)
                .ConfigureAwait(false);
            if (response.Status is not (404 or 405)) return response;
            _batchRouteMissing = true;
        }
        return await PostAsync(OrderRoutes.Orders, jsonArray, "application/json", cancellationToken, answer, count, precedingOrder)
            .ConfigureAwait(false);
    }

    internal Task<RawResponse> PostAsync(string route, ReadOnlyMemory<byte> body, string mediaType, CancellationToken cancellationToken,
        BatchAnswerReader? answer = null, int count = 0, string? precedingOrder = null)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType) { CharSet = "utf-8" };
        var request = new HttpRequestMessage(HttpMethod.Post, _options.RouteUrl(route)) { Content = content };
        // The sender only needs to know that its batch was stored whole: a receipt, not every stored order back.
        if (answer is not null) request.Headers.TryAddWithoutValidation(OrderHeaders.Prefer, OrderHeaders.ReturnMinimal);
        if (precedingOrder is not null) request.Headers.TryAddWithoutValidation(OrderHeaders.IfOrderStored, precedingOrder);
        return SendAsync(request, cancellationToken, answer, count);
    }

    private Task<RawResponse> GetAsync(string route, string? query, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, _options.RouteUrl(route, query)), cancellationToken);

    private async Task<RawResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, BatchAnswerReader? answer = null,
        int count = 0)
    {
        using var _ = request;
        if (_options.Key is { Length: > 0 } key) request.Headers.TryAddWithoutValidation(OrderHeaders.FunctionKey, key);
        if (_options.ApiKey is { Length: > 0 } apiKey) request.Headers.TryAddWithoutValidation(OrderHeaders.ApiKey, apiKey);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            var completion = answer is null ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead;
            using var response = await _http.SendAsync(request, completion, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            string? unexpected = null;
            byte[] body;
            if (answer is not null && response.IsSuccessStatusCode)
            {
                // A batch's answer lists every stored order (about 150 bytes each): checked in a reused buffer, not kept.
                unexpected = await answer.ReadAsync(response, count, request.RequestUri, timeout.Token).ConfigureAwait(false);
                body = [];
            }
            else
            {
                body = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            }
            var replayed = response.Headers.TryGetValues(OrderHeaders.IdempotentReplayed, out var values)
                && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
            var replayedOrders = answer is not null && unexpected is null && response.IsSuccessStatusCode ? answer.ReplayedOrders : null;
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - DateTimeOffset.UtcNow,
                _ => (TimeSpan?)null,
            };
            var problem = response.IsSuccessStatusCode ? null : OrderProblem.Parse(body, status, response.ReasonPhrase);
            return new RawResponse(status, body, replayed, problem, null, retryAfter)
            {
                Unexpected = unexpected,
                ReplayedOrders = replayedOrders,
                Url = request.RequestUri?.GetLeftPart(UriPartial.Path),
                MediaType = response.Content.Headers.ContentType?.MediaType,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever a handler in the HttpClient's pipeline throws (sockets, a timeout, a resilience handler's
            // "circuit open") is an outcome of sending, returned, not thrown: only the caller's cancellation throws.
            return new RawResponse(0, [], false, null, Describe(ex, request.RequestUri), null);
        }
    }

    /// <summary>A transport failure in plain words (never the key: it travels in a header, not the URL).</summary>
    internal static string Describe(Exception ex, Uri? url)
    {
        var where = url is null ? "the server" : url.GetLeftPart(UriPartial.Path);
        return ex switch
        {
            HttpRequestException
            {
                InnerException: System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused }
            } =>
                $"could not connect to {where}: connection refused",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => $"could not resolve the host of {where}",
            HttpRequestException http => $"could not reach {where}: {http.Message}",
            OperationCanceledException => $"{where} did not answer in time",
            _ => $"could not reach {where}: {ex.Message}",
        };
    }
}

/// <summary>An answer before its body is interpreted.</summary>
internal sealed record RawResponse(int Status, byte[] Body, bool Replayed, OrderProblem? Problem, string? TransportError, TimeSpan? RetryAfter)
{
    /// <summary>The URL that answered, without its query.</summary>
    public string? Url { get; init; }

    /// <summary>The answer's media type.</summary>
    public string? MediaType { get; init; }

    /// <summary>For a 2xx that is not the answer expected (another service, a proxy's page): what it is, in words.</summary>
    public string? Unexpected { get; init; }

    /// <summary>For a batch answered with a receipt: how many of its orders were stored before (the rest were stored now).</summary>
    public int? ReplayedOrders { get; init; }
}

/// <summary>The one HTTP handler shape the library uses: keep-alive, no cookies, no decompression, HTTP/1.1 or 2.</summary>
internal static class SenderHttp
{
    public static SocketsHttpHandler CreateHandler() => new()
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
