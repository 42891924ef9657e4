using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// Bodies the service cannot read as sent: a chunk size past int32 (Kestrel's IOException, not a BadHttpRequestException)
/// is the client's malformed request, 400, logged at Information; a compressed body is 415 (the Content-Encoding
/// cases run on both hosts in <c>OrderApiContract</c>).
/// </summary>
public sealed class RequestEncodingTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_400_problem_logged_at_information_when_the_body_stream_fails_with_a_chunk_size_overflow()
    {
        // Arrange: what Kestrel's chunked decoder throws for "FFFFFFFFF", handed to the function as the worker would.
        await using var api = new StandaloneApplication();
        var body = new FailingStream(new IOException("Bad chunk size data.", new OverflowException()));

        // Act
        var response = await api.PostAsync(body, contentLength: null);

        // Assert
        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(400, response.Json.GetProperty("status").GetInt32());
        AssertRefusalLoggedAtInformation(api.Logs);
        Assert.Equal(0, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("identity, identity")]
    [InlineData(" identity ,identity,")]
    [InlineData("IDENTITY")]
    public async Task Run_stores_the_order_when_every_content_coding_listed_is_identity(string encoding)
    {
        // Built on the context: HttpClient would send its own normalized form of the list, not these bytes.
        await using var api = new StandaloneApplication();
        var body = Encoding.UTF8.GetBytes(TestOrders.Json());

        var response = await api.SendAsync(context =>
        {
            context.Request.Method = "POST";
            context.Request.Path = "/API/orders";
            context.Request.ContentType = "application/json";
            context.Request.Headers.ContentEncoding = encoding;
            context.Request.ContentLength = body.Length;
            context.Request.Body = new MemoryStream(body);
        });

        Assert.Equal(201, response.Status);
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_400_problem_over_kestrel_when_a_chunk_size_is_past_int32()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync();
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, host.BaseAddress.Port);
        var stream = socket.GetStream();
        var request = "POST /API/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: " +
            $"chunked\r\nConnection: close\r\n\r\nFFFFFFFFF\r\n{{}}";

        // Act
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        var text = await ReadToEndAsync(stream);

        // Assert
        Assert.StartsWith("HTTP/1.1 400", text);
        Assert.Contains("Content-Type: application/problem+json", text, StringComparison.OrdinalIgnoreCase);
        var problem = JsonDocument.Parse(Dechunk(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..])).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        AssertRefusalLoggedAtInformation(host.Logs);
        Assert.Equal(0, host.CountRows());
    }

    // The request's own lines (the function's, ASP.NET Core's): the refusal at Information, nothing higher, no stack.
    private static void AssertRefusalLoggedAtInformation(CapturedLogs logs)
    {
        var request = logs.Records.Where(r =>
            r.Category == typeof(CreateOrder).FullName || r.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)).ToList();
        Assert.All(request, r =>
            Assert.True(r.Level <= LogLevel.Information && r.Exception is null, $"{r.Level} {r.Category}: {r.Message} {r.Exception}"));
        Assert.Contains(request, r => r.Level == LogLevel.Information && r.Message.Contains("refused with 400", StringComparison.Ordinal));
    }

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0) received.Write(buffer, 0, read);
        return Encoding.UTF8.GetString(received.ToArray());
    }

    private static string Dechunk(string body)
    {
        var result = new StringBuilder();
        while (true)
        {
            var line = body.IndexOf("\r\n", StringComparison.Ordinal);
            var size = Convert.ToInt32(body[..line], 16);
            if (size == 0) return result.ToString();
            result.Append(body, line + 2, size);
            body = body[(line + 2 + size + 2)..];
        }
    }

    private sealed class FailingStream(Exception failure) : ReadOnlyTestStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(failure);
    }
}
