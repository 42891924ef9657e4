using System.Text;
using OrderFunctions.Standalone;
using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;
using TestOrders = OrderFunctions.Tests.Support.TestOrders;

namespace OrderFunctions.Tests.OpenApi;

/// <summary>
/// The API's contract requests, one for each documented answer of each route, sent to the standalone host in process
/// (keys required, real SQLite file); every response must match the committed OpenAPI document.
/// </summary>
public sealed class OpenApiContractTests
{
    private const string Key = "contract-key";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Every_contract_response_matches_the_committed_document()
    {
        // Arrange
        await using var app = new StandaloneApplication(new Dictionary<string, string?>
        {
            ["OrderApi:Keys:0"] = Key,
            ["OrderStorage:BusyTimeoutSeconds"] = "1",
        });
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Add(FunctionKeyFilter.HeaderName, Key);
        var exchanges = new List<(string Method, string Path, ApiResponse Response)>();
        async Task<ApiResponse> Send(string method, string path, string url, string? body = null, string contentType = "application/json",
            bool withKey = true)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, contentType);
            if (!withKey) request.Headers.Add(FunctionKeyFilter.HeaderName, "wrong-key");
            using var raw = await (withKey ? client : app.CreateClient()).SendAsync(request);
            var response = await ApiResponse.ReadAsync(raw);
            exchanges.Add((method, path, response));
            return response;
        }

        // Act
        var created = await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(clientOrderId: "c1"));                 // 201
        await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(clientOrderId: "c1"));                               // 200 replay
        await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(clientOrderId: "c1", price: "1"));                   // 409
        await Send("POST", "/API/orders/batch", "/API/orders/batch", $"[{TestOrders.Json(clientOrderId: "c2")},{TestOrders.Json()}]");  // 201 batch
        await Send("POST", "/API/orders/batch", "/API/orders/batch", $"[{TestOrders.Json(clientOrderId: "c2")}]");           // 200 batch replay
        await Send("POST", "/API/orders/batch", "/API/orders/batch", $"[{TestOrders.Json(clientOrderId: "c1", price: "1")}]"); // 409 batch
        // 201 NDJSON
        await Send("POST", "/API/orders/batch", "/API/orders/batch", $"{TestOrders.Json()}\n{TestOrders.Json(username: "bob")}\n",
            CreateOrder.NdjsonContentType);
        await Send("POST", "/API/orders/batch", "/API/orders/batch", TestOrders.Json());                                      // 400 not an array
        await Send("POST", "/API/orders/batch", "/API/orders/batch", "side=buy", "text/plain");                                  // 415 batch
        await Send("POST", "/API/orders/batch", "/API/orders/batch", "[]", withKey: false);                                      // 401 batch
        await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(side: "hold"));                                      // 400
        await Send("POST", "/API/orders", "/API/orders", "{\"timestamp\":", "application/json");                                // 400 malformed
        await Send("POST", "/API/orders", "/API/orders", "side=buy", "text/plain");                                            // 415
        await Send("POST", "/API/orders", "/API/orders", new string(' ', 70_000) + TestOrders.Json());                        // 413
        await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(), withKey: false);                                 // 401
        var id = created.Json.GetProperty("id").GetInt64();
        await Send("GET", "/API/orders/{id}", $"/API/orders/{id}");                                                           // 200
        await Send("GET", "/API/orders/{id}", "/API/orders/999999");                                                          // 404
        await Send("GET", "/API/orders", "/API/orders?limit=2&side=buy");                                                     // 200 with next
        await Send("GET", "/API/orders", "/API/orders?limit=0&colour=red");                                                   // 400
        await Send("GET", "/API/orders/stats", "/API/orders/stats?market=BTC-USD");                                           // 200
        await Send("GET", "/API/orders/stats", "/API/orders/stats?from=yesterday");                                           // 400
        await Send("GET", "/API/orders/stats", "/API/orders/stats?interval=1m&market=BTC-USD");                               // 200 over time
        await Send("GET", "/API/orders/stats", "/API/orders/stats?interval=2m");                                              // 400
        await Send("GET", "/API/orders/export", "/API/orders/export?format=csv");                                             // 200 CSV
        await Send("GET", "/API/orders/export", "/API/orders/export?format=ndjson");                                          // 200 NDJSON
        await Send("GET", "/API/orders/export", "/API/orders/export?format=xml");                                             // 400
        await Send("GET", "/API/dashboard", "/API/dashboard", withKey: false);                                                // 200
        await Send("GET", "/API/health", "/API/health");                                                                      // 200
        await Send("HEAD", "/API/health", "/API/health");                                                                     // 200, no body
        await Send("GET", "/API/openapi.json", "/API/openapi.json", withKey: false);                                         // 200
        using (var locker = app.Store.Open())
        {
            using var exclusive = locker.CreateCommand();
            exclusive.CommandText = "BEGIN EXCLUSIVE";
            exclusive.ExecuteNonQuery();
            await Send("POST", "/API/orders", "/API/orders", TestOrders.Json(clientOrderId: "locked"));                        // 503
            await Send("GET", "/API/health", "/API/health");                                                                  // 503
        }

        // Assert
        var statuses = exchanges.Select(e => $"{e.Method} {e.Path} {e.Response.Status}").ToList();
        Assert.Equal(
        [
            "POST /API/orders 201", "POST /API/orders 200", "POST /API/orders 409",
            "POST /API/orders/batch 201", "POST /API/orders/batch 200", "POST /API/orders/batch 409", "POST /API/orders/batch 201",
            "POST /API/orders/batch 400", "POST /API/orders/batch 415", "POST /API/orders/batch 401",
            "POST /API/orders 400", "POST /API/orders 400", "POST /API/orders 415", "POST /API/orders 413",
            "POST /API/orders 401", "GET /API/orders/{id} 200", "GET /API/orders/{id} 404", "GET /API/orders 200", "GET /API/orders 400",
            "GET /API/orders/stats 200", "GET /API/orders/stats 400", "GET /API/orders/stats 200", "GET /API/orders/stats 400",
            "GET /API/orders/export 200", "GET /API/orders/export 200", "GET /API/orders/export 400", "GET /API/dashboard 200",
            "GET /API/health 200", "HEAD /API/health 200", "GET /API/openapi.json 200",
            "POST /API/orders 503", "GET /API/health 503",
        ], statuses);
        var problems = exchanges.SelectMany(e => OpenApiContract.Check(e.Method, e.Path, e.Response).Select(p => $"{e.Method} {e.Path}: {p}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    // The check itself can fail: a body missing required fields, an undocumented status, a missing required header,
    // a Content-Type other than the document's (Dredd compares the whole header).
    [Fact]
    public void Check_reports_bodies_statuses_and_headers_the_document_does_not_allow()
    {
        var json = new Dictionary<string, string>();

        var wrongBody = OpenApiContract.Check("GET", "/API/orders/{id}",
            new ApiResponse(200, "application/json; charset=utf-8", """{"id":1,"side":5}""", json));
        var undocumented = OpenApiContract.Check("GET", "/API/health", new ApiResponse(418, "application/json", "{}", json));
        var noRetryAfter = OpenApiContract.Check("GET", "/API/health",
            new ApiResponse(503, "application/problem+json", """{"title":"Service Unavailable","status":503}""", json));
        var withoutCharset = OpenApiContract.Check("GET", "/API/orders/{id}", new ApiResponse(200, "application/json", "{}",
            new Dictionary<string, string> { ["Content-Type"] = "application/json" }));

        Assert.Contains(wrongBody, p => p.Contains("body does not match", StringComparison.Ordinal));
        Assert.Contains(undocumented, p => p.Contains("does not list", StringComparison.Ordinal));
        Assert.Contains(noRetryAfter, p => p.Contains("Retry-After", StringComparison.Ordinal));
        Assert.Contains(withoutCharset, p => p.Contains("Content-Type 'application/json' is not one of", StringComparison.Ordinal));
    }
}
