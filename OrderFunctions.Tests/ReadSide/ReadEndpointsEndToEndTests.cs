using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;


namespace OrderFunctions.Tests.ReadSide;

/// <summary>The three GETs over a real socket, through the standalone host, on orders posted to it.</summary>
public sealed class ReadEndpointsEndToEndTests : IAsyncLifetime
{
    private StandaloneApplication _host = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await StandaloneApplication.StartAsync();
        _http = new HttpClient { BaseAddress = _host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _host.DisposeAsync();
    }

    private async Task<JsonElement[]> PostAsync(string json)
    {
        using var response = await _http.PostAsync("/API/orders", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement[]>())!;
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_returns_the_order_as_posted_when_it_exists()
    {
        var posted = await PostAsync("""[{"timestamp":"2026-11-27T10:15:30.123456Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"x"}]""");
        var id = posted[0].GetProperty("id").GetInt64();

        using var response = await _http.GetAsync($"/API/orders/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(posted[0].GetRawText(), await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.Contains("Server-Timing"));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_returns_404_problem_when_the_order_does_not_exist()
    {
        using var response = await _http.GetAsync("/API/orders/424242");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task List_pages_through_the_filtered_orders_when_given_a_limit()
    {
        var posted = await PostAsync("""
            [{"timestamp":"2026-11-27T10:00:00Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":100},
             {"timestamp":"2026-11-27T11:00:00Z","username":"bob","market":"BTC-USD","side":"sell","size":2,"price":101},
             {"timestamp":"2026-11-27T12:00:00Z","username":"alice","market":"ETH-USD","side":"buy","size":3,"price":102},
             {"timestamp":"2026-11-27T13:00:00Z","username":"alice","market":"BTC-USD","side":"sell","size":4,"price":103}]
            """);

        var first = await _http.GetFromJsonAsync<JsonElement>("/API/orders?username=alice&market=BTC-USD&limit=1");
        var second = await _http.GetFromJsonAsync<JsonElement>(
            $"/API/orders?username=alice&market=BTC-USD&limit=1&after={first.GetProperty("next").GetString()}");

        Assert.Equal(posted[0].GetRawText(), Assert.Single(first.GetProperty("items").EnumerateArray()).GetRawText());
        Assert.Equal(posted[3].GetRawText(), Assert.Single(second.GetProperty("items").EnumerateArray()).GetRawText());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task List_returns_400_problem_when_a_parameter_is_bad()
    {
        using var response = await _http.GetAsync("/API/orders?side=hold");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("side", out _));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Stats_is_routed_to_the_statistics_not_to_an_order_id()
    {
        await PostAsync("""
            [{"timestamp":"2026-11-27T10:00:00Z","username":"alice","market":"BTC-USD","side":"buy","size":1.5,"price":42000},
             {"timestamp":"2026-11-27T11:00:00Z","username":"bob","market":"BTC-USD","side":"sell","size":0.2,"price":44000}]
            """);

        using var response = await _http.GetAsync("/API/orders/stats?market=BTC-USD");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            """{"markets":[{"market":"BTC-USD","count":2,"buyVolume":1.5,"sellVolume":0.2,"notional":71800,"vwap":42235.29411765,"minPrice":42000,"maxPrice":44000,"firstTimestamp":"2026-11-27T10:00:00Z","lastTimestamp":"2026-11-27T11:00:00Z"}],"next":null}""",
            await response.Content.ReadAsStringAsync());
    }
}
