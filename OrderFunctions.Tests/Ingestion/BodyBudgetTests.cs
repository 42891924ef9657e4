using System.Numerics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// The bytes of request bodies held at once are bounded (<c>OrderStorage:MaxBufferedRequestBytes</c>): while bodies
/// being read hold the budget, another POST is answered 503 with Retry-After before its body is read, and the budget
/// frees once they are parsed (issue 22, item 5). The first body is held half-read on a signal.
/// </summary>
public sealed class BodyBudgetTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_returns_503_with_Retry_After_when_bodies_being_read_hold_the_byte_budget()
    {
        // Arrange: a budget one body's buffer fits in, and a body held half-read.
        var held = Encoding.UTF8.GetBytes(TestOrders.Json(clientOrderId: "held"));
        var other = TestOrders.Json(clientOrderId: "refused");
        var buffer = (long)BitOperations.RoundUpToPowerOf2((uint)held.Length + 1); // what the app rents for it
        var budget = buffer + buffer / 2;
        await using var api = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:MaxBufferedRequestBytes"] = $"{budget}" });
        var stream = new HalfThenWait(held);
        var first = api.PostAsync(stream, held.Length);
        await stream.Waiting.WaitAsync(TimeSpan.FromSeconds(60));

        // Act
        var refused = await api.PostAsync(other);
        stream.Release();
        var stored = await first;
        var later = await api.PostAsync(TestOrders.Json(clientOrderId: "later"));

        // Assert
        Assert.Equal(503, refused.Status);
        Assert.Equal("application/problem+json", refused.ContentType);
        Assert.Equal("1", refused.Header("Retry-After"));
        Assert.Equal(503, refused.Json.GetProperty("status").GetInt32());
        var otherBuffer = BitOperations.RoundUpToPowerOf2((uint)Encoding.UTF8.GetByteCount(other) + 1);
        Assert.Equal(FormattableString.Invariant($"The order was not stored: too many request bodies are being read ({buffer:N0} bytes ") +
            FormattableString.Invariant($"are held, this one needs {otherBuffer:N0}, and OrderStorage:MaxBufferedRequestBytes is {budget:N0}). ") +
            "Nothing was written; retry later.",
            refused.Json.GetProperty("detail").GetString());
        Assert.Contains(api.Logs.Records, r => r.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && r.Message.StartsWith("A request was answered 503 before its body was read: too many request bodies", StringComparison.Ordinal));
        Assert.Equal(201, stored.Status);
        Assert.Equal(201, later.Status);
        Assert.Equal(["held", "later"], api.Store.ClientOrderIdCounts().Keys.Order().ToArray());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_reads_a_body_larger_than_the_whole_budget_when_no_other_body_is_held()
    {
        // Arrange: a budget of 1 KiB and a 120-order array of unknown length (over 16 KiB: its buffer grows twice).
        await using var api = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:MaxBufferedRequestBytes"] = "1024" });
        var orders = Enumerable.Range(0, 120).Select(i => TestOrders.Json(clientOrderId: $"large-{i}"));
        var body = Encoding.UTF8.GetBytes($"[{string.Join(",", orders)}]");
        Assert.True(body.Length > 16 * 1024, $"the body has {body.Length} bytes");

        // Act
        var response = await api.PostAsync(new MemoryStream(body), contentLength: null);

        // Assert
        Assert.Equal(201, response.Status);
        Assert.Equal(120, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_gives_every_buffer_back_to_the_budget_whether_the_body_is_stored_refused_too_large_or_broken()
    {
        // Arrange: room for a half-read body's buffer and another body's first buffer (8 KiB: an unknown length starts
        // at 4,096 + 1 bytes), not for that buffer grown to 16 KiB.
        var held = Encoding.UTF8.GetBytes(TestOrders.Json(clientOrderId: "held"));
        var heldBuffer = (long)BitOperations.RoundUpToPowerOf2((uint)held.Length + 1);
        var budget = heldBuffer + 8192 + 4096;
        await using var api = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:MaxBufferedRequestBytes"] = $"{budget}" });
        var bodies = api.Services.GetRequiredService<RequestBodyBudget>();
        var stream = new HalfThenWait(held);
        var first = api.PostAsync(stream, held.Length);
        await stream.Waiting.WaitAsync(TimeSpan.FromSeconds(60));
        var large = Encoding.UTF8.GetBytes($"[{string.Join(",", Enumerable.Range(0, 120).Select(i => TestOrders.Json(clientOrderId: $"l-{i}")))}]");

        // Act
        var refusedWhileGrowing = await api.PostAsync(new MemoryStream(large), contentLength: null);
        stream.Release();
        var stored = await first;
        var tooLarge = await api.PostAsync(new string(' ', RequestBody.SingleOrderLimit + 1) + TestOrders.Json());
        var broken = await api.PostAsync(new BrokenAfterFirstRead(held), contentLength: null);

        // Assert
        Assert.Equal((503, 201, 413, 400), (refusedWhileGrowing.Status, stored.Status, tooLarge.Status, broken.Status));
        Assert.Equal("The request body could not be read: Bad chunk size data.", broken.Json.GetProperty("detail").GetString());
        Assert.Equal(0, bodies.Held);
        Assert.Equal(["held"], api.Store.ClientOrderIdCounts().Keys.ToArray());
    }

    /// <summary>Gives the first half of the body, then fails as Kestrel's chunked decoder does on a chunk size past int32.</summary>
    private sealed class BrokenAfterFirstRead(byte[] body) : ReadOnlyTestStream
    {
        private bool _read;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_read) return ValueTask.FromException<int>(new IOException("Bad chunk size data.", new OverflowException()));
            _read = true;
            var count = Math.Min(buffer.Length, body.Length / 2);
            body.AsSpan(0, count).CopyTo(buffer.Span);
            return ValueTask.FromResult(count);
        }
    }

    /// <summary>Gives the first half of the body, then waits for <see cref="Release"/> before the rest.</summary>
    private sealed class HalfThenWait(byte[] body) : ReadOnlyTestStream
    {
        private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public Task Waiting => _waiting.Task;

        public void Release() => _released.TrySetResult();

        public override long Length => body.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position > 0)
            {
                _waiting.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
            var count = Math.Min(buffer.Length, _position == 0 ? body.Length / 2 : body.Length - _position);
            body.AsSpan(_position, count).CopyTo(buffer.Span);
            _position += count;
            return count;
        }
    }
}
