using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// A real empty store of one engine (<see cref="TestStore"/>), the services <c>AddOrderServices</c> registers for it, and the read functions invoked
/// in process the way the worker invokes them: a real <see cref="DefaultHttpContext"/> request in, the returned
/// <see cref="IResult"/> executed against a response whose body is kept.
/// </summary>
internal sealed class ReadSideHarness : IAsyncDisposable
{
    private readonly StoreEngine _engine;
    private TestStore? _store;
    private ServiceProvider? _services;

    public ReadSideHarness(StoreEngine engine) => _engine = engine;

    /// <summary>Creates the store and its (empty) table, as the writer does at start, so reads of an empty store find a table.</summary>
    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(_engine);
        await _store.CreateSchemaAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(_store.Settings).Build();
        _services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddOrderServices(configuration)
            .BuildServiceProvider();
    }

    public IServiceProvider Services => _services!;

    /// <summary>Stores the orders through the real repository, in one request; returns them with their ids.</summary>
    public async Task<StoredOrder[]> AddAsync(params Order[] orders)
    {
        var results = await Services.GetRequiredService<IOrderRepository>().AddManyAsync(orders);
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        return results.Select(r => r.Order).ToArray();
    }

    public Task<ReadResponse> GetOrderAsync(long id) =>
        InvokeAsync<GetOrder>($"/API/orders/{id}", "", (function, request) => function.Run(request, id, CancellationToken.None));

    public Task<ReadResponse> ListAsync(string query) =>
        InvokeAsync<ListOrders>("/API/orders", query, (function, request) => function.Run(request, CancellationToken.None));

    public Task<ReadResponse> StatsAsync(string query) =>
        InvokeAsync<OrderStats>("/API/orders/stats", query, (function, request) => function.Run(request, CancellationToken.None));

    public Task<ReadResponse> ExportAsync(string query) =>
        InvokeAsync<ExportOrders>("/API/orders/export", query, (function, request) => function.Run(request, CancellationToken.None));

    private async Task<ReadResponse> InvokeAsync<TFunction>(string path, string query, Func<TFunction, HttpRequest, Task<IResult>> run)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Request.QueryString = query.Length == 0 ? QueryString.Empty : new QueryString("?" + query);
        var body = new MemoryStream();
        context.Response.Body = body;

        var function = ActivatorUtilities.CreateInstance<TFunction>(Services);
        var result = await run(function, context.Request);
        await result.ExecuteAsync(context);

        return new ReadResponse(context.Response.StatusCode, context.Response.ContentType, Encoding.UTF8.GetString(body.ToArray()))
        {
            Headers = context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        if (_store is not null) await _store.DisposeAsync();
    }
}

/// <summary>What a function answered: status, content type and body.</summary>
internal sealed record ReadResponse(int Status, string? ContentType, string Body)
{
    /// <summary>The response headers, each as one string.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The keys of a validation problem's <c>errors</c>.</summary>
    public string[] ErrorKeys => Json.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToArray();

    public long[] ItemIds => Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToArray();

    public string? Next => Json.GetProperty("next").GetString();
}
