using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Ingestion;

public sealed class CreateOrderTests : IAsyncLifetime
{
    private readonly Mock<IOrderRepository> _repository = new(MockBehavior.Strict);
    private readonly StandaloneApplication _app;

    public CreateOrderTests() =>
        _app = new StandaloneApplication(services: s => s.Replace(ServiceDescriptor.Singleton(_repository.Object)));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    private Task<ApiResponse> Post(string body, string? contentType = "application/json") => _app.PostAsync(body, contentType);

    private void StoreAs(long id) =>
        _repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Order o, CancellationToken _) => new SaveResult(SaveOutcome.Created, StoredOrder.From(id, o)));

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_201_with_stored_order_and_location_when_order_is_valid()
    {
        // Arrange
        StoreAs(42);

        // Act
        var response = await Post(TestOrders.ValidJson);

        // Assert
        Assert.Equal(201, response.Status);
        Assert.Equal("/API/orders/42", response.Header("Location"));
        Assert.StartsWith("application/json", response.ContentType);
        var json = response.Json;
        Assert.Equal(42, json.GetProperty("id").GetInt64());
        Assert.Equal("2026-11-27T10:15:30.123Z", json.GetProperty("timestamp").GetString());
        Assert.Equal("buy", json.GetProperty("side").GetString());
        Assert.Equal("0.1", json.GetProperty("size").GetRawText());
        Assert.Equal("43000.12345678", json.GetProperty("price").GetRawText());
        _repository.Verify(r => r.AddAsync(
            It.Is<Order>(o => o.Username == "alice" && o.Size == 0.1m && o.Price == 43000.12345678m), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("", "/API/orders/")] // was /API/orders//42, a 404
    [InlineData("", "/api/ORDERS")]
    [InlineData("", "/API/orders//")]
    [InlineData("/base", "/API/orders/")]
    public async Task Run_builds_location_from_the_route_when_the_request_path_is_spelled_otherwise(string pathBase, string path)
    {
        StoreAs(42);

        var response = await _app.InvokeAsync<CreateOrder>((function, request) => function.Run(request, CancellationToken.None), request =>
        {
            request.Body = new MemoryStream(Encoding.UTF8.GetBytes(TestOrders.ValidJson));
            request.ContentLength = request.Body.Length;
            request.PathBase = pathBase;
            request.Path = path;
        });

        Assert.Equal(201, response.Status);
        Assert.Equal(pathBase + "/API/orders/42", response.Header("Location"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_accepts_seed_python_client_payload_when_timestamp_has_no_offset()
    {
        StoreAs(1);

        var response = await Post("""
            {"timestamp": "2026-11-27 10:15:30.123456", "username": "trader1", "market": "BTC-USD", "side": "buy", "size": 0.5, "price": 43000.5}
            """);

        Assert.Equal(201, response.Status);
        Assert.Equal("2026-11-27T10:15:30.123456Z", response.Json.GetProperty("timestamp").GetString());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Run_returns_415_when_body_is_not_json(string? contentType)
    {
        var response = await Post(TestOrders.ValidJson, contentType);

        Assert.Equal(415, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("must be JSON", response.Json.GetProperty("detail").GetString());
        _repository.VerifyNoOtherCalls();
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"hold","size":1,"price":1}""", "side")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":0,"price":1}""", "size")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":-5}""", "price")]
    [InlineData("""{"timestamp":"soon","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1}""", "timestamp")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"","market":"BTC-USD","side":"buy","size":1,"price":1}""", "username")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","side":"buy","size":1,"price":1}""", "market")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":"1","price":true}""", "price")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1,"qty":1}""", "qty")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1.000000001,"price":1}""", "size")]
    [InlineData("""{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1}x""", "$")]
    [InlineData("""[1]""", "[0]")]
    public async Task Run_returns_400_naming_field_when_input_is_bad(string body, string field)
    {
        var response = await Post(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal([field], response.ErrorKeys);
        _repository.VerifyNoOtherCalls();
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_every_offending_field_when_several_are_bad()
    {
        var response = await Post("""{"timestamp":"x","username":"","side":"hold","size":-1,"price":"abc","extra":1}""");

        Assert.Equal(400, response.Status);
        Assert.Equal(["extra", "market", "price", "side", "size", "timestamp", "username"], response.ErrorKeys.Order());
        _repository.VerifyNoOtherCalls();
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_413_when_single_order_body_exceeds_64_KiB()
    {
        var padding = new string(' ', RequestBody.SingleOrderLimit);
        var response = await Post("{" + padding + "}");

        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        _repository.VerifyNoOtherCalls();
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_stores_batch_in_input_order_when_array_is_valid()
    {
        _repository.Setup(r => r.AddManyAsync(It.IsAny<IReadOnlyList<Order>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<Order> orders, CancellationToken _) =>
                orders.Select((o, i) => new SaveResult(SaveOutcome.Created, StoredOrder.From(100 + i, o))).ToList());
        var body = "[" + string.Join(",", Enumerable.Range(1, 3).Select(i =>
            $$"""{"timestamp":"2026-11-27T10:15:30Z","username":"u{{i}}","market":"ETH/USD","side":"sell","size":{{i}},"price":"0.5"}""")) + "]";

        var response = await Post(body);

        Assert.Equal(201, response.Status);
        Assert.Equal([100L, 101L, 102L], response.Json.EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        Assert.Equal(["u1", "u2", "u3"], response.Json.EnumerateArray().Select(o => o.GetProperty("username").GetString()));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_index_and_field_and_writes_nothing_when_one_batch_element_is_bad()
    {
        var body = $"[{TestOrders.ValidJson},{TestOrders.ValidJson.Replace("\"buy\"", "\"hold\"")},{TestOrders.ValidJson}]";

        var response = await Post(body);

        Assert.Equal(400, response.Status);
        Assert.Equal(["[1].side"], response.ErrorKeys);
        _repository.VerifyNoOtherCalls();
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_reads_ndjson_as_batch_when_content_type_is_ndjson()
    {
        _repository.Setup(r => r.AddManyAsync(It.Is<IReadOnlyList<Order>>(l => l.Count == 2), It.IsAny<CancellationToken>()))
            .ReturnsAsync((IReadOnlyList<Order> orders, CancellationToken _) =>
                orders.Select((o, i) => new SaveResult(SaveOutcome.Created, StoredOrder.From(i + 1, o))).ToList());

        var response = await Post(TestOrders.ValidJson + "\n" + TestOrders.ValidJson + "\n", "application/x-ndjson");

        Assert.Equal(201, response.Status);
        Assert.Equal(2, response.Json.GetArrayLength());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_200_with_replayed_header_when_client_order_id_was_stored_with_same_content()
    {
        _repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Order o, CancellationToken _) => new SaveResult(SaveOutcome.Replayed, StoredOrder.From(7, o)));

        var response = await Post(TestOrders.ValidJson.Replace("}", ""","clientOrderId":"c1"}"""));

        Assert.Equal(200, response.Status);
        Assert.Equal("true", response.Header(CreateOrder.ReplayedHeader));
        Assert.Equal(7, response.Json.GetProperty("id").GetInt64());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_409_when_client_order_id_was_stored_with_other_content()
    {
        _repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((Order o, CancellationToken _) => new SaveResult(SaveOutcome.Conflict, StoredOrder.From(7, o with { Size = 2 })));

        var response = await Post(TestOrders.ValidJson.Replace("}", ""","clientOrderId":"c1"}"""));

        Assert.Equal(409, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(7, response.Json.GetProperty("existingId").GetInt64());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_503_with_retry_after_when_store_is_unavailable()
    {
        _repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new OrderStoreUnavailableException("the database file is read-only", TimeSpan.FromSeconds(2)));

        var response = await Post(TestOrders.ValidJson);

        Assert.Equal(503, response.Status);
        Assert.Equal("2", response.Header("Retry-After"));
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("read-only", response.Json.GetProperty("detail").GetString());
    }
}
