using System.Net;
using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>Bodies past their size limit get 413, oversized or malformed values 400; none of them reaches the store.</summary>
public sealed class RequestLimitTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_413_problem_when_single_order_body_exceeds_64_KiB()
    {
        await using var api = new StandaloneApplication();
        var body = TestOrders.Json(clientOrderId: "big").Insert(1, new string(' ', RequestBody.SingleOrderLimit));

        var response = await api.PostAsync(body);

        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("65536", response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_accepts_single_order_body_of_exactly_64_KiB()
    {
        await using var api = new StandaloneApplication();
        var order = TestOrders.Json(clientOrderId: "edge");
        var body = order.Insert(1, new string(' ', RequestBody.SingleOrderLimit - order.Length));

        var response = await api.PostAsync(body);

        Assert.Equal(201, response.Status);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_413_after_reading_little_more_than_the_limit_when_endless_body_has_no_length()
    {
        // Arrange: an object that never ends, with no Content-Length (as a chunked request arrives).
        await using var api = new StandaloneApplication();
        var endless = new EndlessStream("{\"username\":\""u8.ToArray(), (byte)'a');

        // Act
        var response = await api.PostAsync(endless, contentLength: null);

        // Assert
        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.InRange(endless.BytesRead, RequestBody.SingleOrderLimit, 2 * RequestBody.SingleOrderLimit);
        Assert.Equal(0, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_413_when_batch_body_exceeds_4_MiB()
    {
        await using var api = new StandaloneApplication();
        var endless = new EndlessStream("["u8.ToArray(), (byte)' ');

        var response = await api.PostAsync(endless, contentLength: null);

        Assert.Equal(413, response.Status);
        // The buffer doubles as it fills, so at most twice the limit is ever read or held.
        Assert.InRange(endless.BytesRead, RequestBody.BatchLimit, 2L * RequestBody.BatchLimit);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task Run_accepts_batch_body_of_exactly_4_MiB(string contentType)
    {
        await using var api = new StandaloneApplication();
        var orders = contentType == "application/json" ? "[" + TestOrders.Json() + "]" : TestOrders.Json() + "\n";
        var body = orders + new string(' ', RequestBody.BatchLimit - orders.Length);

        var response = await api.PostAsync(body, contentType);

        Assert.Equal(201, response.Status);
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_413_without_reading_the_body_when_its_content_length_is_over_4_MiB()
    {
        await using var api = new StandaloneApplication();
        var endless = new EndlessStream("{"u8.ToArray(), (byte)' ');

        var response = await api.PostAsync(endless, contentLength: RequestBody.BatchLimit + 1);

        Assert.Equal(413, response.Status);
        Assert.Equal($"The body is larger than {RequestBody.BatchLimit} bytes, the limit for this kind of request.",
            response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, endless.BytesRead);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_returns_413_problem_when_chunked_body_exceeds_64_KiB_over_http()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();
        var body = Encoding.UTF8.GetBytes(TestOrders.Json(clientOrderId: "chunked").Insert(1, new string(' ', 100_000)));
        var content = new UnknownLengthContent(body);

        Assert.Null(content.Headers.ContentLength);

        // Act
        using var response = await client.PostAsync(host.OrdersUrl, content);
        var answer = await ApiResponse.ReadAsync(response);

        // Assert
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(0, host.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("username", 65, "must be at most 64 characters")]
    [InlineData("username", 2000, "must be at most 1024 bytes")]
    [InlineData("market", 33, "must be at most 32 characters")]
    [InlineData("clientOrderId", 65, OrderValidator.ClientOrderIdMessage)]
    public async Task Run_returns_400_when_string_is_too_long(string field, int length, string message)
    {
        await using var api = new StandaloneApplication();
        var value = new string('a', length);
        var body = field switch
        {
            "username" => TestOrders.Json(username: value),
            "market" => TestOrders.Json(market: value),
            _ => TestOrders.Json(clientOrderId: value),
        };

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal(message, response.Json.GetProperty("errors").GetProperty(field)[0].GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("x")]
    [InlineData("!")]
    [InlineData("~")]
    [InlineData("!~")]
    [InlineData("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_")] // 64
    public async Task Run_stores_client_order_id_verbatim_when_it_is_1_to_64_visible_ascii_characters(string clientOrderId)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(TestOrders.Json(clientOrderId: clientOrderId));

        Assert.Equal(201, response.Status);
        Assert.Equal(clientOrderId, response.Json.GetProperty("clientOrderId").GetString());
        Assert.Equal(clientOrderId, Assert.Single(api.Store.ClientOrderIdCounts().Keys));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_stores_order_when_username_market_and_client_order_id_are_at_their_longest()
    {
        await using var api = new StandaloneApplication();
        var username = new string('u', OrderValidator.MaxUsernameLength);
        var market = "B.T-C/U_S:D" + new string('X', OrderValidator.MaxMarketLength - 11);
        var clientOrderId = new string('c', OrderValidator.MaxClientOrderIdLength);

        var response = await api.PostAsync(TestOrders.Json(username: username, market: market, clientOrderId: clientOrderId));

        Assert.Equal(201, response.Status);
        Assert.Equal((username, market), (response.Json.GetProperty("username").GetString(), response.Json.GetProperty("market").GetString()));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_takes_the_batch_limit_when_a_batch_over_64_KiB_starts_with_whitespace()
    {
        await using var api = new StandaloneApplication();
        var orders = Enumerable.Range(0, 600).Select(i => TestOrders.Json(username: $"u{i}"));
        var body = " \r\n\t[" + string.Join(",", orders) + "]";
        Assert.True(body.Length > RequestBody.SingleOrderLimit);

        var response = await api.PostAsync(new MemoryStream(Encoding.UTF8.GetBytes(body)), contentLength: null);

        Assert.Equal(201, response.Status);
        Assert.Equal(600, api.CountRows());
    }

    // The largest values the store keeps (10 digits before the point, 8 after), in each spelling the reader counts
    // digits in: a JSON number, a string, trailing zeros, leading zeros, an exponent.
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("9999999999.99999999", "9999999999.99999999")]
    [InlineData("1234567890.12345678", "1234567890.12345678")]
    [InlineData("9999999999", "9999999999")]
    [InlineData("0.00000001", "0.00000001")]
    [InlineData("1234567890.123456780000", "1234567890.12345678")]
    [InlineData("9.99999999999999999E9", "9999999999.99999999")]
    [InlineData("123456789012345678e-8", "1234567890.12345678")]
    [InlineData("\"9999999999.99999999\"", "9999999999.99999999")]
    [InlineData("\"0001234567890.12345678\"", "1234567890.12345678")]
    [InlineData("\"+1234567890.12345678\"", "1234567890.12345678")]
    [InlineData("\".12345678000000000000\"", "0.12345678")] // no digit before the point, trailing zeros
    public async Task Run_stores_largest_accepted_values_exactly_when_posted(string raw, string stored)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(TestOrders.Json(size: raw, price: raw));

        Assert.Equal(201, response.Status);
        Assert.Equal(stored, response.Json.GetProperty("size").GetRawText());
        Assert.Equal(stored, response.Json.GetProperty("price").GetRawText());
        var units = (long)(decimal.Parse(stored, System.Globalization.CultureInfo.InvariantCulture) * 100_000_000m);
        Assert.Equal(units, api.Store.Scalar<long>("SELECT price FROM Orders"));
    }

    // One digit more than the store keeps, in the same spellings: refused with the precision message, not rounded.
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("99999999999")]
    [InlineData("1234567890.123456789")]
    [InlineData("9.999999999999999999E9")]
    [InlineData("\"1234567890.123456789\"")]
    [InlineData("\"12345678901\"")]
    [InlineData("-1234567890.123456789")]
    [InlineData("\".12345678000000000000000000001\"")] // 29 places: decimal.Parse would round it to 0.12345678
    public async Task Run_returns_400_precision_message_when_value_has_one_digit_too_many(string raw)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(TestOrders.Json(price: raw));

        Assert.Equal(400, response.Status);
        Assert.Equal([OrderValidator.PrecisionMessage],
            response.Json.GetProperty("errors").GetProperty("price").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(0, api.CountRows());
    }

    // A negative value within the digits the store keeps is refused for its sign, so the sign is no digit.
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("-9999999999.99999999")]
    [InlineData("\"-9999999999.99999999\"")]
    public async Task Run_returns_400_not_positive_when_largest_value_is_negative(string raw)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(TestOrders.Json(price: raw));

        Assert.Equal(400, response.Status);
        Assert.Equal(["must be greater than 0"],
            response.Json.GetProperty("errors").GetProperty("price").EnumerateArray().Select(m => m.GetString()));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task Run_stores_a_batch_of_exactly_10000_orders(string contentType)
    {
        await using var api = new StandaloneApplication();
        var orders = Enumerable.Range(0, OrderBatchLimits.MaxOrders).Select(i => TestOrders.Json(username: $"u{i % 50}"));
        // NDJSON: blank lines are not orders and do not count towards the limit.
        var body = contentType == "application/json" ? $"[{string.Join(",", orders)}]" : "\n" + string.Join("\n\n", orders) + "\n";

        var response = await api.PostAsync(body, contentType);

        Assert.Equal(201, response.Status);
        Assert.Equal(OrderBatchLimits.MaxOrders, response.Json.GetArrayLength());
        Assert.Equal(OrderBatchLimits.MaxOrders, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task Run_returns_400_and_writes_nothing_when_batch_has_10001_orders(string contentType)
    {
        await using var api = new StandaloneApplication();
        var orders = Enumerable.Repeat(TestOrders.Json(), OrderBatchLimits.MaxOrders + 1);
        var body = contentType == "application/json" ? $"[{string.Join(",", orders)}]" : string.Join("\n", orders);

        var response = await api.PostAsync(body, contentType);

        Assert.Equal(400, response.Status);
        var errors = response.Json.GetProperty("errors");
        Assert.Equal(["$"], errors.EnumerateObject().Select(p => p.Name));
        Assert.Equal("at most 10000 orders per request", errors.GetProperty("$")[0].GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(4)]
    [InlineData(10_000)]
    public async Task Run_returns_400_when_json_nests_deeper_than_an_order(int depth)
    {
        await using var api = new StandaloneApplication();
        var body = new string('[', depth) + new string(']', depth);

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Contains("malformed JSON", response.Json.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_400_when_field_value_nests_objects()
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync("{\"username\":{\"a\":{\"b\":{\"c\":1}}}}");

        Assert.Equal(400, response.Status);
        Assert.Equal(0, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("1e30", "price")]
    [InlineData("79228162514264337593543950336", "price")]
    [InlineData("-79228162514264337593543950336", "price")]
    [InlineData("1e-30", "price")]
    [InlineData("1e99999", "price")]
    [InlineData("\"1e400\"", "price")]
    [InlineData("\"NaN\"", "price")]
    [InlineData("\"Infinity\"", "price")]
    [InlineData("\"-Infinity\"", "price")]
    [InlineData("NaN", "$")]
    [InlineData("Infinity", "$")]
    [InlineData("-Infinity", "$")]
    public async Task Run_returns_400_when_price_overflows_or_is_not_finite(string price, string errorKey)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(TestOrders.Json(price: price));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(errorKey, out _), response.Body);
        Assert.Equal(0, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_400_naming_field_when_key_is_repeated()
    {
        await using var api = new StandaloneApplication();
        var body = TestOrders.Json().TrimEnd('}') + ",\"price\":1}";

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("appears more than once", response.Json.GetProperty("errors").GetProperty("price")[0].GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("1")]
    [InlineData("\"order\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("")]
    public async Task Run_returns_400_when_top_level_value_is_not_an_object(string body)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("$", out _));
        Assert.Equal(0, api.CountRows());
    }

    /// <summary>A prefix, then one byte forever; counts what was read.</summary>
    private sealed class EndlessStream(byte[] prefix, byte filler) : ReadOnlyTestStream
    {
        public long BytesRead { get; private set; }
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++) buffer[offset + i] = BytesRead + i < prefix.Length ? prefix[BytesRead + i] : filler;
            BytesRead += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            var read = Read(array, 0, array.Length);
            array.CopyTo(buffer);
            return ValueTask.FromResult(read);
        }
    }

    /// <summary>Content that cannot tell its length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _body;

        public UnknownLengthContent(byte[] body)
        {
            _body = body;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
