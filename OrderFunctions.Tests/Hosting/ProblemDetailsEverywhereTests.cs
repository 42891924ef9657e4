using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// Every error of the standalone host is an RFC 9457 problem, also those no function writes: routing's 404 and 405,
/// and a request Kestrel refuses while the app reads its body (408). <c>HEAD /API/health</c> is served.
/// </summary>
public sealed class ProblemDetailsEverywhereTests
{
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("GET", "/API/nothing-here")]
    [InlineData("GET", "/API/orders/abc")] // the id is not a long: no route matches
    [InlineData("GET", "/API/orders/99999999999999999999")] // past long.MaxValue
    [InlineData("GET", "/")]
    [InlineData("POST", "/API/order")]
    public async Task Unknown_route_answers_404_problem(string method, string path)
    {
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("DELETE", "/API/orders")]
    [InlineData("PUT", "/API/orders/1")]
    [InlineData("POST", "/API/health")]
    [InlineData("PATCH", "/API/orders/stats")]
    public async Task Wrong_method_answers_405_problem(string method, string path)
    {
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Head_health_answers_200_when_the_store_is_healthy()
    {
        await using var app = new StandaloneApplication();
        using var client = app.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/API/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Unknown_route_and_wrong_method_answer_problems_over_kestrel()
    {
        await using var host = new StandaloneApplication().ServeOnSocket();
        var client = host.Client;

        using var notFound = await client.GetAsync("/API/orders/abc");
        using var notAllowed = await client.DeleteAsync("/API/orders");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/API/health"));

        await AssertProblemAsync(notFound, HttpStatusCode.NotFound);
        await AssertProblemAsync(notAllowed, HttpStatusCode.MethodNotAllowed);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_408_problem_when_the_body_arrives_too_slowly()
    {
        // Arrange: Kestrel's minimum body data rate (240 bytes/s after a 5 s grace period) is what times the body out.
        await using var host = new StandaloneApplication().ServeOnSocket();
        var port = host.BaseAddress.Port;
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, port);
        var stream = socket.GetStream();
        var head = $"POST /API/orders HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n" +
            "Content-Length: 100000\r\n\r\n{\"username\":";

        // Act: a few bytes of the promised 100,000, then nothing; read until the server answers or closes.
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
        {
            received.Write(buffer, 0, read);
            if (Encoding.ASCII.GetString(received.ToArray()).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal)) break;
        }

        // Assert
        var text = Encoding.UTF8.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 408", text);
        Assert.Contains("Content-Type: application/problem+json", text, StringComparison.OrdinalIgnoreCase);
        var problem = JsonDocument.Parse(Dechunk(text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..])).RootElement;
        Assert.Equal(408, problem.GetProperty("status").GetInt32());
        Assert.Equal(0, host.CountRows());
    }

    // The body of a chunked HTTP/1.1 response (the problem's length is not known when it starts): size line, data, ...
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

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
    }
}
