using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;

namespace OrderClient;

/// <summary>How a call ended, which is also how the process ends: see <see cref="ExitCodes"/>.</summary>
public enum ApiOutcome
{
    /// <summary>2xx.</summary>
    Success,
    /// <summary>4xx: the server refused the request; sending it again would not help.</summary>
    Rejected,
    /// <summary>No answer, a timeout, or 5xx once the retries were spent.</summary>
    Unavailable,
}

/// <summary>The result of one API call: a value, a problem from the server, or why the server could not be reached.</summary>
public sealed record ApiResult<T>(
    ApiOutcome Outcome,
    int? StatusCode,
    T? Value,
    string? Json,
    bool Replayed,
    ApiProblem? Problem,
    string? TransportError)
{
    /// <summary>
    /// The server answered 2xx, but not with what the call expects (another endpoint or another service answered):
    /// what it sent, in short. The outcome is then <see cref="ApiOutcome.Unavailable"/>: the orders API was not reached.
    /// </summary>
    public string? UnexpectedAnswer { get; init; }

    /// <summary>Set when the answer shows that the URL does not lead to the orders API: which URL to use instead.</summary>
    public string? UrlHint { get; init; }

    public int ExitCode => Outcome switch
    {
        ApiOutcome.Success => ExitCodes.Success,
        ApiOutcome.Rejected => ExitCodes.Rejected,
        _ => ExitCodes.Unavailable,
    };
}

/// <summary>
/// The typed HttpClient for the orders API (registered with <c>AddHttpClient&lt;OrdersApiClient&gt;()</c>, behind the
/// standard resilience handler). Every method returns an <see cref="ApiResult{T}"/>; nothing throws for an HTTP or
/// transport failure, only for the caller's own cancellation.
/// </summary>
public sealed class OrdersApiClient(HttpClient http, ApiEndpoint endpoint)
{
    private const string ReplayedHeader = "Idempotent-Replayed";

    // Every field the server always sends must be there and not null; a 2xx that lacks one is not the answer expected.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>POST one order. The draft carries a clientOrderId, which is what makes retrying the POST safe.</summary>
    public Task<ApiResult<StoredOrder>> CreateAsync(OrderDraft order, CancellationToken cancellationToken) =>
        SendAsync(Post(order.ToJsonBytes()), new Shape<StoredOrder>("the stored order", null), cancellationToken);

    /// <summary>POST a JSON array of <paramref name="count"/> orders (already serialized); the server stores all of them or none.</summary>
    public Task<ApiResult<IReadOnlyList<StoredOrder>>> CreateManyAsync(byte[] jsonArray, int count, CancellationToken cancellationToken) =>
        SendAsync(Post(jsonArray), new Shape<IReadOnlyList<StoredOrder>>(
            $"a JSON array of the {OutputFormat.Count(count, "stored order")}",
            orders => orders.Count == count && orders.All(o => o is not null)), cancellationToken);

    public Task<ApiResult<StoredOrder>> GetAsync(long id, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, endpoint.OrderUrl(id)), new Shape<StoredOrder>("an order", null), cancellationToken, notFoundMayBeAnswer: true);

    public Task<ApiResult<OrderPage>> ListAsync(IEnumerable<KeyValuePair<string, string?>> query, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, endpoint.ListUrl(query)), new Shape<OrderPage>(
            """a page of orders ({"items":[...],"next":...})""", page => page.Items.All(o => o is not null)), cancellationToken);

    public Task<ApiResult<OrderStats>> StatsAsync(IEnumerable<KeyValuePair<string, string?>> query, CancellationToken cancellationToken) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, endpoint.StatsUrl(query)), new Shape<OrderStats>(
            """per-market stats ({"markets":[...]})""", stats => stats.Markets.All(m => m is not null)), cancellationToken);

    /// <summary>What a 2xx body must be: its type, in words for the user, and what deserializing alone cannot check.</summary>
    private sealed record Shape<T>(string Description, Func<T, bool>? IsValid);

    private HttpRequestMessage Post(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return new HttpRequestMessage(HttpMethod.Post, endpoint.OrdersUrl) { Content = content };
    }

    /// <param name="notFoundMayBeAnswer">A 404 is a real answer (no such order) when the URL is the orders URL; anywhere else, and for every other call, a 404 or 405 means the URL is wrong.</param>
    private async Task<ApiResult<T>> SendAsync<T>(HttpRequestMessage request, Shape<T> shape, CancellationToken cancellationToken, bool notFoundMayBeAnswer = false)
    {
        using var _ = request;
        if (endpoint.Key is { Length: > 0 } key) request.Headers.TryAddWithoutValidation(ApiEndpoint.KeyHeader, key);
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var json = await response.Content.ReadAsStringAsync(cancellationToken);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                var replayed = response.Headers.TryGetValues(ReplayedHeader, out var values)
                    && values.Any(v => string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
                var (value, why) = Read(json, shape);
                if (value is not null) return new(ApiOutcome.Success, status, value, json, replayed, null, null);
                return new(ApiOutcome.Unavailable, status, default, json, false, null, null)
                {
                    UnexpectedAnswer = $"{request.RequestUri!.GetLeftPart(UriPartial.Path)} answered {status.ToString(CultureInfo.InvariantCulture)}, "
                        + $"but not with {shape.Description} ({why}); it sent {Excerpt(json, response.Content.Headers.ContentType?.MediaType)}",
                    UrlHint = endpoint.UrlHint(),
                };
            }
            // 408 and 429 are transient like 5xx: once the retries are spent, the server is unavailable, not the order wrong.
            var outcome = status is >= 500 or 408 or 429 ? ApiOutcome.Unavailable : ApiOutcome.Rejected;
            var wrongUrl = status == 405 || (status == 404 && !(notFoundMayBeAnswer && endpoint.LooksLikeOrdersUrl));
            return new(outcome, status, default, json, false, ProblemReader.Read(json, status, response.ReasonPhrase), null)
            {
                UrlHint = wrongUrl ? endpoint.UrlHint() : null,
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (IsTransport(ex))
        {
            return new(ApiOutcome.Unavailable, null, default, null, false, null, Describe(ex, request.RequestUri));
        }
    }

    private static (T? Value, string? Why) Read<T>(string json, Shape<T> shape)
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, Json);
            if (value is null) return (default, "the body is null");
            return shape.IsValid is null || shape.IsValid(value) ? (value, null) : (default, "its content does not match");
        }
        catch (JsonException ex)
        {
            return (default, ex.Message);
        }
    }

    /// <summary>At most 200 characters of a body, on one line, with its media type: enough to recognise what answered.</summary>
    public static string Excerpt(string body, string? mediaType)
    {
        var type = mediaType is { Length: > 0 } ? mediaType + " " : "";
        if (body.Length == 0) return $"an empty {type}body";
        var flat = new string([.. body.Take(200).Select(c => char.IsControl(c) ? ' ' : c)]);
        return $"{type}{flat}{(body.Length > 200 ? "..." : "")}";
    }

    private static bool IsTransport(Exception ex) =>
        ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or RateLimiterRejectedException
            or OperationCanceledException or IOException;

    /// <summary>A transport failure in plain words: what was tried and why it failed.</summary>
    public static string Describe(Exception ex, Uri? url)
    {
        var where = url is null ? "the server" : url.GetLeftPart(UriPartial.Path);
        return ex switch
        {
            HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } =>
                $"could not connect to {where}: connection refused (is the server running on that port?)",
            HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } =>
                $"could not resolve the host of {where}",
            HttpRequestException http => $"could not reach {where}: {http.Message}",
            TimeoutRejectedException or OperationCanceledException => $"{where} did not answer in time",
            BrokenCircuitException => $"{where} failed too often; the client stopped sending for a while (circuit open)",
            _ => $"could not reach {where}: {ex.Message}",
        };
    }
}

/// <summary>Reads an RFC 9457 problem document leniently: a body that is not one still yields a title.</summary>
public static class ProblemReader
{
    public static ApiProblem Read(string json, int status, string? reason)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? title = null, detail = null;
        int? index = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                if (root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String) title = t.GetString();
                if (root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String) detail = d.GetString();
                if (root.TryGetProperty("index", out var i) && i.TryGetInt32(out var value)) index = value;
                if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
                {
                    foreach (var field in e.EnumerateObject())
                    {
                        errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                            ? [.. field.Value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())]
                            : [field.Value.ToString()];
                    }
                }
            }
        }
        catch (JsonException)
        {
            detail = json.Length is > 0 and <= 200 ? json : null;
        }
        return new ApiProblem(title ?? reason ?? $"HTTP {status}", detail, status, errors, index);
    }
}

/// <summary>The process exit codes, the same for every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything was accepted (201, or 200 for an idempotent replay).</summary>
    public const int Success = 0;
    /// <summary>The server (or the client's own parsing) rejected something: 4xx.</summary>
    public const int Rejected = 1;
    /// <summary>The server could not be reached, timed out, or answered 5xx after the retries.</summary>
    public const int Unavailable = 2;
    /// <summary>Interrupted (Ctrl-C): 128 + SIGINT, as shells report it. What was done so far has been printed.</summary>
    public const int Interrupted = 130;
}
