using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;
using OrderFunctions.Storage.Sqlite;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// The read functions through <see cref="StandaloneApplication"/> (the one test application): the standalone host's
/// own Program in process on a real temporary SQLite file, GETs sent through its TestServer.
/// </summary>
internal sealed class ReadSideHarness : IAsyncDisposable
{
    private readonly StandaloneApplication _app = new();
    private readonly HttpClient _client;

    public ReadSideHarness()
    {
        _client = _app.CreateClient(); // starts the host: the writer creates the table and its indexes
    }

    public string DatabasePath => _app.DatabasePath;

    public IServiceProvider Services => _app.Services;

    /// <summary>Stores the orders through the real repository, in one request; returns them with their ids.</summary>
    public async Task<StoredOrder[]> AddAsync(params Order[] orders)
    {
        var results = await _app.Services.GetRequiredService<IOrderRepository>().AddManyAsync(orders);
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        return results.Select(r => r.Order).ToArray();
    }

    public Task<ReadResponse> GetOrderAsync(long id) => GetAsync($"/API/orders/{id}");

    public Task<ReadResponse> ListAsync(string query) => GetAsync("/API/orders" + (query.Length == 0 ? "" : "?" + query));

    public Task<ReadResponse> StatsAsync(string query) => GetAsync("/API/orders/stats" + (query.Length == 0 ? "" : "?" + query));

    private async Task<ReadResponse> GetAsync(string pathAndQuery)
    {
        using var response = await _client.GetAsync(pathAndQuery);
        var contentType = response.Content.Headers.ContentType?.ToString();
        return new ReadResponse((int)response.StatusCode, contentType, await response.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }
}

/// <summary>What a function answered: status, content type and body.</summary>
internal sealed record ReadResponse(int Status, string? ContentType, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The keys of a validation problem's <c>errors</c>.</summary>
    public string[] ErrorKeys => Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();

    public long[] ItemIds => Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToArray();

    public string? Next => Json.GetProperty("next").GetString();
}
