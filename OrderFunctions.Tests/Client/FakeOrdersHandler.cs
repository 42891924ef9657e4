using System.Net;
using System.Text;
using OrderClient;

namespace OrderFunctions.Tests.Client;

/// <summary>One request as the fake handler saw it.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Key, string Body);

/// <summary>
/// The innermost handler of the client's HttpClient in unit tests: records every request (after the resilience
/// handler, so retries show as separate requests) and answers through <c>respond</c>.
/// </summary>
public sealed class FakeOrdersHandler(Func<RecordedRequest, int, HttpResponseMessage> respond) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_requests) return [.. _requests]; }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var key = request.Headers.TryGetValues(ApiEndpoint.KeyHeader, out var values) ? values.Single() : null;
        var recorded = new RecordedRequest(request.Method, request.RequestUri!, key, body);
        int index;
        lock (_requests)
        {
            index = _requests.Count;
            _requests.Add(recorded);
        }
        return respond(recorded, index);
    }

    public static HttpResponseMessage Json(HttpStatusCode status, string json, string mediaType = "application/json") =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Problem(HttpStatusCode status, string json) => Json(status, json, "application/problem+json");
}
