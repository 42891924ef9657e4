using System.Net;
using System.Net.Http.Json;
using System.Text;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Client;
namespace OrderFunctions.Tests.Hosting;

/// <summary>The standalone host serving the function classes over a real socket.</summary>
public sealed class StandaloneHostTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_stores_order_in_file_when_served_on_kestrel()
    {
        await using var host = await StandaloneApplication.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(host.OrdersUrl, new StringContent(TestOrders.ValidJson, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        Assert.Equal($"/API/orders/{order.GetProperty("id").GetInt64()}", response.Headers.Location?.ToString());
        Assert.Equal(1, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_returns_415_problem_when_body_is_form_data()
    {
        await using var host = await StandaloneApplication.StartAsync();
        using var http = new HttpClient();

        var response = await http.PostAsync(host.OrdersUrl, new FormUrlEncodedContent([new("username", "alice")]));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, host.CountRows());
    }
}
