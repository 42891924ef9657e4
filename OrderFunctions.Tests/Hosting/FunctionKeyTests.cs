using System.Net;
using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;


using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Hosting;

/// <summary>The standalone host enforces function keys as the Functions host does: header or ?code=, health open.</summary>
public sealed class FunctionKeyTests
{
    private const string Key = "k3y-0f-the-desk-6f1c2a";
    private const string OtherKey = "second-key";

    private static readonly Dictionary<string, string> WithKeys = new()
    {
        ["OrderApi__Keys__0"] = Key,
        ["OrderApi__Keys__1"] = OtherKey,
    };

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong")]
    [InlineData(Key + "x")]
    [InlineData("k3y-0f-the-desk-6f1c2b")]
    public async Task Post_returns_401_problem_and_writes_nothing_when_key_is_missing_or_wrong(string? key)
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync(environment: WithKeys);
        using var client = new HttpClient();
        using var request = Post(host.OrdersUrl, "no-key");
        if (key is not null) request.Headers.Add("x-functions-key", key);

        // Act
        using var response = await client.SendAsync(request);
        var answer = await ApiResponse.ReadAsync(response);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", answer.ContentType);
        Assert.Equal(401, answer.Json.GetProperty("status").GetInt32());
        Assert.Equal(0, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_accepts_each_configured_key_in_header_or_code_parameter_and_refuses_wrong_code()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync(environment: WithKeys);
        using var client = new HttpClient();
        using var header = Post(host.OrdersUrl, "by-header");
        header.Headers.Add("x-functions-key", Key);
        using var otherHeader = Post(host.OrdersUrl, "by-other-key");
        otherHeader.Headers.Add("x-functions-key", OtherKey);
        using var code = Post(new Uri(host.OrdersUrl + "?code=" + Uri.EscapeDataString(Key)), "by-code");
        using var wrongCode = Post(new Uri(host.OrdersUrl + "?code=nope"), "by-wrong-code");

        // Act
        using var byHeader = await client.SendAsync(header);
        using var byOtherKey = await client.SendAsync(otherHeader);
        using var byCode = await client.SendAsync(code);
        using var byWrongCode = await client.SendAsync(wrongCode);

        // Assert
        Assert.Equal(HttpStatusCode.Created, byHeader.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byOtherKey.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byCode.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, byWrongCode.StatusCode);
        Assert.Equal(3, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Health_answers_without_key_when_keys_are_configured()
    {
        await using var host = await StandaloneApplication.StartAsync(environment: WithKeys);
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(host.BaseAddress, "/API/health"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_is_open_and_warns_at_start_when_no_key_is_configured()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();

        // Act
        using var response = await client.SendAsync(Post(host.OrdersUrl, "open"));

        // Assert: the console logger writes on its own thread; give it a moment to reach the pipe.
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        for (var i = 0; i < 100 && !host.Output.Contains("the API is open", StringComparison.Ordinal); i++) await Task.Delay(100);
        Assert.Contains("No function key is configured (OrderApi:Keys): the API is open", host.Output);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_does_not_warn_when_keys_are_configured()
    {
        await using var host = await StandaloneApplication.StartAsync(environment: WithKeys);
        using var client = new HttpClient();
        using var request = Post(host.OrdersUrl, "quiet");
        request.Headers.Add("x-functions-key", Key);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain("the API is open", host.Output);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Host_does_not_warn_that_the_api_is_open_when_named_callers_guard_it_without_function_keys()
    {
        await using var host = await StandaloneApplication.StartAsync(environment: AccessCallers.Environment());
        using var client = new HttpClient();
        using var request = Post(host.OrdersUrl, "named");
        request.Headers.Add(OrderHeaders.ApiKey, AccessCallers.Desk1Key);
        request.Content = new StringContent(TestOrders.Json(username: "desk1-alice"), Encoding.UTF8, "application/json");

        using var response = await client.SendAsync(request);

        // The callers' announcement is written at start, before the first answer; the open warning would be too.
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        for (var i = 0; i < 100 && !host.Output.Contains("desk1", StringComparison.Ordinal); i++) await Task.Delay(100);
        Assert.Contains("desk1", host.Output);
        Assert.DoesNotContain("the API is open", host.Output);
    }

    private static HttpRequestMessage Post(Uri url, string clientOrderId) => new(HttpMethod.Post, url)
    {
        Content = new StringContent(TestOrders.Json(clientOrderId: clientOrderId), Encoding.UTF8, "application/json"),
    };
}
