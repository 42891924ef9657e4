using System.Net;
using System.Text;
using System.Text.Json;

using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Client;
namespace OrderFunctions.Tests.Hosting;

public sealed class NullStoreHostTests
{
    private const string Body =
        """{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.5}""";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_and_writes_nothing_when_null_store_is_configured()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync(environment: new Dictionary<string, string>
        {
            ["Benchmark__NullStore"] = "true",
        });
        using var client = new HttpClient();

        // Act
        using var response = await client.PostAsync(host.OrdersUrl, new StringContent(Body, Encoding.UTF8, "application/json"));

        // Assert
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64());
        Assert.Equal(0, host.CountRows());
        Assert.Contains("NOTHING IS STORED", host.Output);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_stores_the_order_when_null_store_is_not_configured()
    {
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();

        using var response = await client.PostAsync(host.OrdersUrl, new StringContent(Body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, host.CountRows());
        Assert.DoesNotContain("NOTHING IS STORED", host.Output);
    }
}
