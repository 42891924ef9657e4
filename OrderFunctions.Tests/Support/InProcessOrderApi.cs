using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Support;

/// <summary>
/// The tests' view of <see cref="StandaloneApplication"/> (the one test application): the standalone host's own
/// Program in process over the real SQLite store on a temporary file, on a loopback socket.
/// </summary>
internal sealed class InProcessOrderApi : IAsyncDisposable
{
    private readonly StandaloneApplication _app;
    private readonly HttpClient _client;

    public InProcessOrderApi(IDictionary<string, string?>? settings = null, string? connectionString = null, string? databasePath = null)
    {
        var values = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (connectionString is not null) values["ConnectionStrings:Orders"] = connectionString;
        // On a socket: the request-limit tests stream endless bodies, which the in-memory TestServer would buffer.
        _app = new StandaloneApplication(values, databasePath: databasePath ?? NewDatabasePath()).ServeOnSocket();
        _client = new HttpClient { BaseAddress = _app.BaseAddress };
    }

    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    public string DatabasePath => _app.DatabasePath;
    public CapturedLogs Logs => _app.Logs;

    /// <summary>The store's options object itself: a test may change the connection string the writer reopens with.</summary>
    public SqliteOrderStoreOptions SqliteOptions => _app.Services.GetRequiredService<IOptions<SqliteOrderStoreOptions>>().Value;

    public IOrderRepository Repository => _app.Services.GetRequiredService<IOrderRepository>();

    public IServiceProvider Services => _app.Services;

    public Task<ApiResponse> PostAsync(string body, string contentType = "application/json") =>
        PostAsync(Encoding.UTF8.GetBytes(body), contentType);

    public async Task<ApiResponse> PostAsync(byte[] body, string contentType = "application/json")
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await _client.PostAsync("/API/orders", content);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>
    /// The body as a stream handed to the function itself (created over the app's services as the worker creates it):
    /// the tests that count how much of an endless body is read need the stream, which a socket would not give back.
    /// </summary>
    public async Task<ApiResponse> PostAsync(Stream body, long? contentLength, string contentType = "application/json")
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "POST";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = "/API/orders";
        context.Request.ContentType = contentType;
        context.Request.ContentLength = contentLength;
        context.Request.Body = body;
        context.Response.Body = new MemoryStream();
        var function = ActivatorUtilities.CreateInstance<CreateOrder>(scope.ServiceProvider);
        await (await function.Run(context.Request, CancellationToken.None)).ExecuteAsync(context);
        return new ApiResponse(context.Response.StatusCode, context.Response.ContentType,
            Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()),
            context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
    }

    public async Task<ApiResponse> GetHealthAsync()
    {
        using var response = await _client.GetAsync("/API/health");
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>A listing or statistics request with this raw query string (any text, even what a URI cannot hold),
    /// straight into the function class, its result executed as the host would.</summary>
    public async Task<ApiResponse> GetAsync(string path, string queryString)
    {
        var context = new DefaultHttpContext { RequestServices = Services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(queryString);
        context.Response.Body = new MemoryStream();
        IResult result = path switch
        {
            "/API/orders" => await ActivatorUtilities.CreateInstance<ListOrders>(Services).Run(context.Request, CancellationToken.None),
            "/API/orders/stats" => await ActivatorUtilities.CreateInstance<OrderStats>(Services).Run(context.Request, CancellationToken.None),
            _ => throw new ArgumentException($"No read function is routed at {path}", nameof(path)),
        };
        await result.ExecuteAsync(context);
        return new ApiResponse(context.Response.StatusCode, context.Response.ContentType,
            Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray()),
            context.Response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
    }

    public long CountRows() => Database.CountRows(DatabasePath);

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Database.Delete(DatabasePath);
    }
}

/// <summary>A response as the tests look at it, in-process or over the socket.</summary>
internal sealed record ApiResponse(int Status, string? ContentType, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync(), headers);
    }
}

/// <summary>Raw reads of a database file, on connections of the test's own.</summary>
internal static class Database
{
    public static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        return connection;
    }

    public static long CountRows(string path) => Scalar<long>(path, "SELECT COUNT(*) FROM Orders");

    public static T Scalar<T>(string path, string sql)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)command.ExecuteScalar()!;
    }

    /// <summary>client_order_id -> how many rows carry it.</summary>
    public static Dictionary<string, long> ClientOrderIdCounts(string path)
    {
        using var connection = Open(path);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT client_order_id, COUNT(*) FROM Orders WHERE client_order_id IS NOT NULL GROUP BY client_order_id";
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (reader.Read()) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    public static void Delete(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(path + suffix); } catch (IOException) { }
        }
    }
}

/// <summary>Order bodies for the tests: valid JSON an order can be built from, field by field.</summary>
internal static class ApiTestOrders
{
    public static string Json(string username = "alice", string? clientOrderId = null, string market = "BTC-USD",
        string side = "buy", string size = "0.5", string price = "43000.12345678", string timestamp = "2026-11-27T10:15:30.123456Z")
    {
        var id = clientOrderId is null ? "" : $",\"clientOrderId\":{JsonSerializer.Serialize(clientOrderId)}";
        return $"{{\"timestamp\":\"{timestamp}\",\"username\":{JsonSerializer.Serialize(username)},\"market\":{JsonSerializer.Serialize(market)},\"side\":\"{side}\",\"size\":{size},\"price\":{price}{id}}}";
    }

    public static Orders.Order Order(string username = "alice", string? clientOrderId = null, decimal price = 43000.12345678m) =>
        new(new DateTime(2026, 11, 27, 10, 15, 30, DateTimeKind.Utc), username, "BTC-USD", "buy", 0.5m, price, clientOrderId);
}
