using System.Net;
using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Tests.EndToEnd;

using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Reliability;

/// <summary>Bodies past their size limit get 413, oversized or malformed values 400; none of them reaches the store.</summary>
public sealed class RequestLimitTests
{
    [Fact]
    public async Task Run_returns_413_problem_when_single_order_body_exceeds_64_KiB()
    {
        await using var api = new InProcessOrderApi();
        var body = TestOrders.Json(clientOrderId: "big").Insert(1, new string(' ', RequestBody.SingleOrderLimit));

        var response = await api.PostAsync(body);

        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Contains("65536", response.Json.GetProperty("detail").GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Fact]
    public async Task Run_accepts_single_order_body_of_exactly_64_KiB()
    {
        await using var api = new InProcessOrderApi();
        var order = TestOrders.Json(clientOrderId: "edge");
        var body = order.Insert(1, new string(' ', RequestBody.SingleOrderLimit - order.Length));

        var response = await api.PostAsync(body);

        Assert.Equal(201, response.Status);
    }

    [Fact]
    public async Task Run_returns_413_after_reading_little_more_than_the_limit_when_endless_body_has_no_length()
    {
        // Arrange: an object that never ends, with no Content-Length (as a chunked request arrives).
        await using var api = new InProcessOrderApi();
        var endless = new EndlessStream("{\"username\":\""u8.ToArray(), (byte)'a');

        // Act
        var response = await api.PostAsync(endless, contentLength: null);

        // Assert
        Assert.Equal(413, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.InRange(endless.BytesRead, RequestBody.SingleOrderLimit, 2 * RequestBody.SingleOrderLimit);
        Assert.Equal(0, api.CountRows());
    }

    [Fact]
    public async Task Run_returns_413_when_batch_body_exceeds_4_MiB()
    {
        await using var api = new InProcessOrderApi();
        var endless = new EndlessStream("["u8.ToArray(), (byte)' ');

        var response = await api.PostAsync(endless, contentLength: null);

        Assert.Equal(413, response.Status);
        // The buffer doubles as it fills, so at most twice the limit is ever read or held.
        Assert.InRange(endless.BytesRead, RequestBody.BatchLimit, 2L * RequestBody.BatchLimit);
    }

    [Fact]
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

    [Theory]
    [InlineData("username", 65, "must be at most 64 characters")]
    [InlineData("username", 2000, "must be at most 1024 bytes")]
    [InlineData("market", 33, "must be at most 32 characters")]
    [InlineData("clientOrderId", 65, OrderValidator.ClientOrderIdMessage)]
    public async Task Run_returns_400_when_string_is_too_long(string field, int length, string message)
    {
        await using var api = new InProcessOrderApi();
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

    [Theory]
    [InlineData(4)]
    [InlineData(10_000)]
    public async Task Run_returns_400_when_json_nests_deeper_than_an_order(int depth)
    {
        await using var api = new InProcessOrderApi();
        var body = new string('[', depth) + new string(']', depth);

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Contains("malformed JSON", response.Json.GetProperty("errors").GetProperty("$")[0].GetString());
    }

    [Fact]
    public async Task Run_returns_400_when_field_value_nests_objects()
    {
        await using var api = new InProcessOrderApi();

        var response = await api.PostAsync("{\"username\":{\"a\":{\"b\":{\"c\":1}}}}");

        Assert.Equal(400, response.Status);
        Assert.Equal(0, api.CountRows());
    }

    [Theory]
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
        await using var api = new InProcessOrderApi();

        var response = await api.PostAsync(TestOrders.Json(price: price));

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty(errorKey, out _), response.Body);
        Assert.Equal(0, api.CountRows());
    }

    [Fact]
    public async Task Run_returns_400_naming_field_when_key_is_repeated()
    {
        await using var api = new InProcessOrderApi();
        var body = TestOrders.Json().TrimEnd('}') + ",\"price\":1}";

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.Equal("appears more than once", response.Json.GetProperty("errors").GetProperty("price")[0].GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("\"order\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("")]
    public async Task Run_returns_400_when_top_level_value_is_not_an_object(string body)
    {
        await using var api = new InProcessOrderApi();

        var response = await api.PostAsync(body);

        Assert.Equal(400, response.Status);
        Assert.True(response.Json.GetProperty("errors").TryGetProperty("$", out _));
        Assert.Equal(0, api.CountRows());
    }

    /// <summary>A prefix, then one byte forever; counts what was read.</summary>
    private sealed class EndlessStream(byte[] prefix, byte filler) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++) buffer[offset + i] = BytesRead + i < prefix.Length ? prefix[BytesRead + i] : filler;
            BytesRead += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var array = new byte[buffer.Length];
            var read = Read(array, 0, array.Length);
            array.CopyTo(buffer);
            return ValueTask.FromResult(read);
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
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
