using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderFunctions.Orders;
using OrderFunctions.Standalone;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The one way tests stand the app up: the standalone host's own <c>Program.cs</c>, in process (TodoApi's
/// <c>TodoApplication</c>), on a temporary database, with settings layered over the app's and services a test swaps.
/// <see cref="CreateClient"/> goes through the in-memory TestServer; <see cref="StartAsync"/> serves on a real
/// loopback socket (Kestrel on port 0) for tests that need one (the client, locks held while requests wait).
/// Child processes remain only where a process is the point (Functions-host fixture, SIGKILL/SIGTERM, process logs).
/// <see cref="SendAsync"/> hands the in-memory server a request the test builds itself (a raw query string, a body
/// stream it watches); <see cref="InvokeAsync{TFunction}"/> runs one function class over the app's services, for the few
/// tests about a function apart from any host's routing.
/// The type argument only names the standalone assembly (its top-level <c>Program</c> shares a name with the function app's).
/// </summary>
public class StandaloneApplication(
    IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? databasePath = null)
    : WebApplicationFactory<OrderApiOptions>
{
    public string DatabasePath { get; } = databasePath ?? NewDatabasePath();

    /// <summary>A path for a new SQLite file in the temporary directory, unique to the caller.</summary>
    public static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    /// <summary>
    /// The app on <paramref name="store"/> (either engine): its provider and connection string over the defaults. The
    /// store stays the caller's (several apps may share it, as several instances share a database).
    /// </summary>
    public static StandaloneApplication ForStore(
        TestStore store, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>(store.Settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        return new StandaloneApplication(values, services, store.Engine == StoreEngine.Sqlite ? store.Path : null) { _store = store };
    }

    private TestStore? _store;

    /// <summary>The store the app runs on: the one it was given, else its own SQLite file (deleted with the app).</summary>
    public TestStore Store => _store ??= OwnStore();

    // The app's own file, made by NewDatabasePath, is the app's to delete, whether or not a test looked into it (a test
    // that counted its rows left the file behind: about 200 orders-*.db in the temporary directory per suite run).
    private TestStore OwnStore()
    {
        _ownsStore |= databasePath is null;
        return TestStore.Sqlite(DatabasePath);
    }

    /// <summary>
    /// The app on a new empty store of <paramref name="engine"/>, its table created as the writer creates it at start (so
    /// reads of an empty store find one); the store goes with the app on dispose.
    /// </summary>
    public static async Task<StandaloneApplication> OnEmptyStoreAsync(
        StoreEngine engine, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var store = await TestStore.CreateAsync(engine);
        await store.CreateSchemaAsync();
        var app = ForStore(store, settings, services);
        app._ownsStore = true;
        return app;
    }

    private bool _ownsStore;

    /// <summary>
    /// The services <c>AddOrderServices</c> registers for these settings (what both hosts' <c>Program.cs</c> call), and
    /// what <paramref name="configure"/> adds or replaces, built and validated but not started: for tests of the
    /// composition itself, whose settings (an unknown provider, a server that does not exist) would stop a start.
    /// </summary>
    public static ServiceProvider ComposeServices(
        IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? configure = null) =>
        ComposeRegistrations(settings, configure)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

    /// <summary>The registrations <see cref="ComposeServices"/> builds, for tests that compare them.</summary>
    public static IServiceCollection ComposeRegistrations(
        IDictionary<string, string?> settings, Action<IServiceCollection, IConfiguration>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddOrderServices(configuration);
        configure?.Invoke(services, configuration);
        return services;
    }

    /// <summary>Everything the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>The logged entries as text, for tests that look for a message.</summary>
    public string Output => string.Join(Environment.NewLine, Logs.Entries);

    /// <summary>The socket address after <see cref="StartAsync"/>.</summary>
    public Uri BaseAddress { get; private set; } = new("http://localhost");

    public Uri OrdersUrl => new(BaseAddress, "/API/orders");

    /// <summary>Where <see cref="ServeOnSocket"/> listens: loopback, a port the system picks.</summary>
    public const string LoopbackAnyPort = "http://127.0.0.1:0";

    private bool _onSocket;
    private HttpClient? _client;

    /// <summary>A client of the app: over the socket after <see cref="ServeOnSocket"/>, else over the in-memory server.</summary>
    public HttpClient Client => _client ??= _onSocket ? new HttpClient { BaseAddress = BaseAddress } : CreateClient();

    /// <summary>The app's own repository (the write queue in front of the engine).</summary>
    public IOrderRepository Repository => Services.GetRequiredService<IOrderRepository>();

    public Task<ApiResponse> PostAsync(string body, string? contentType = "application/json") =>
        PostAsync(Encoding.UTF8.GetBytes(body), contentType, OrdersPath);

    public async Task<ApiResponse> PostAsync(byte[] body, string? contentType = "application/json", string path = OrdersPath)
    {
        using var content = new ByteArrayContent(body);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Client.PostAsync(path, content);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>
    /// POSTs <paramref name="body"/> as the request stream itself, through the in-memory server: a test can count how
    /// much of an endless body the app read, which a socket's buffers would hide.
    /// </summary>
    public Task<ApiResponse> PostAsync(Stream body, long? contentLength, string contentType = "application/json") =>
        SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Post;
            context.Request.Path = OrdersPath;
            context.Request.ContentType = contentType;
            context.Request.ContentLength = contentLength;
            context.Request.Body = body;
        });

    /// <summary>A GET of <paramref name="pathAndQuery"/> through <see cref="Client"/>.</summary>
    public async Task<ApiResponse> GetAsync(string pathAndQuery)
    {
        using var response = await Client.GetAsync(pathAndQuery);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>A GET whose query string is any text, even what a URI cannot hold (the in-memory server takes it as is).</summary>
    public Task<ApiResponse> GetAsync(string path, string queryString) =>
        SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Request.QueryString = queryString.Length == 0 ? QueryString.Empty
                : new QueryString(queryString.StartsWith('?') ? queryString : "?" + queryString);
        });

    public Task<ApiResponse> GetHealthAsync() => GetAsync("/API/health");

    /// <summary>Stores the orders through the app's repository, in one request; returns them with their ids.</summary>
    public async Task<StoredOrder[]> AddAsync(params Order[] orders)
    {
        var results = await Repository.AddManyAsync(orders);
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
        return results.Select(r => r.Order).ToArray();
    }

    public Task<ApiResponse> GetOrderAsync(long id) => GetAsync($"{OrdersPath}/{id}", "");

    /// <summary>A page of the listing for this raw query string (without or with its <c>?</c>).</summary>
    public Task<ApiResponse> ListAsync(string query) => GetAsync(OrdersPath, query);

    public Task<ApiResponse> StatsAsync(string query) => GetAsync($"{OrdersPath}/stats", query);

    public Task<ApiResponse> ExportAsync(string query) => GetAsync($"{OrdersPath}/export", query);

    /// <summary>A request the test builds on the context itself, through the whole app on the in-memory server.</summary>
    public async Task<ApiResponse> SendAsync(Action<HttpContext> configure)
    {
        if (_onSocket) throw new InvalidOperationException("SendAsync goes through the in-memory server; this app serves a socket.");
        var context = await Server.SendAsync(configure);
        return await ApiResponse.ReadAsync(context.Response);
    }

    /// <summary>
    /// One function class created over the app's services as the worker creates it, given a request built by
    /// <paramref name="configure"/> (an empty POST to the orders route unless it says otherwise), its result
    /// executed as the host executes it.
    /// </summary>
    public async Task<ApiResponse> InvokeAsync<TFunction>(
        Func<TFunction, HttpRequest, Task<IResult>> run, Action<HttpRequest>? configure = null) where TFunction : class
    {
        await using var scope = Services.CreateAsyncScope();
        var request = NewRequest(scope.ServiceProvider, "");
        configure?.Invoke(request);
        var function = ActivatorUtilities.CreateInstance<TFunction>(scope.ServiceProvider);
        return await ExecuteAsync(await run(function, request), request.HttpContext);
    }

    /// <summary>
    /// Executes <paramref name="result"/> as the host executes it, over the app's services (its JSON options and problem
    /// details apply), on <paramref name="context"/> or a new one; returns what a client would read.
    /// </summary>
    public async Task<ApiResponse> ExecuteAsync(IResult result, HttpContext? context = null)
    {
        context ??= new DefaultHttpContext { RequestServices = Services };
        context.Response.Body = new MemoryStream();
        await result.ExecuteAsync(context);
        return await ApiResponse.ReadAsync(context.Response);
    }

    /// <summary>A POST of <paramref name="body"/> to the orders route as a function receives it, over <paramref name="services"/>.</summary>
    public static HttpRequest NewRequest(IServiceProvider services, string body, string? contentType = "application/json")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Post;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = OrdersPath;
        context.Request.ContentType = contentType;
        context.Request.ContentLength = bytes.Length;
        context.Request.Body = new MemoryStream(bytes);
        return context.Request;
    }

    private const string OrdersPath = "/API/orders";

    /// <summary>
    /// Serves the app on a loopback socket. <paramref name="environment"/> takes environment-variable names
    /// (<c>OrderApi__Keys__0</c>) as the process harness did; they become configuration keys.
    /// </summary>
    public static Task<StandaloneApplication> StartAsync(string? databasePath = null, IDictionary<string, string>? environment = null,
        Action<IServiceCollection>? services = null)
    {
        var settings = (environment ?? new Dictionary<string, string>())
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value);
        return Task.FromResult(new StandaloneApplication(settings, services, databasePath).ServeOnSocket());
    }

    /// <summary>Starts the app on Kestrel at a free loopback port (a streamed request body stays streamed).</summary>
    /// <remarks>
    /// The port is chosen by the app's own configuration (<c>urls</c> = <see cref="LoopbackAnyPort"/>, read by the host
    /// as it starts Kestrel), never by <c>UseKestrel(port)</c>. With a port, the factory clears and refills
    /// <c>IServerAddressesFeature.Addresses</c> on the test's thread after the host is built, while the app's entry point
    /// (<c>app.Run()</c>, on the thread HostFactoryResolver runs it on) is already starting Kestrel, which makes that
    /// collection read-only as it binds. Whenever Kestrel won the race the factory threw "IServerAddressesFeature.Addresses
    /// cannot be modified after the server has started" (dotnet/aspnetcore#67714): the flaky start-up of issue 24.
    /// </remarks>
    public StandaloneApplication ServeOnSocket()
    {
        _onSocket = true;
        UseKestrel();
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address
            .Replace("[::]", "127.0.0.1", StringComparison.Ordinal)
            .Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return this;
    }

    /// <summary>Rows in Orders, read through a connection of the test's own.</summary>
    public long CountRows() => Store.CountRows();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var values = new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={DatabasePath}" };
        if (_onSocket) values["urls"] = LoopbackAnyPort; // over appsettings.json's Urls (host settings reach the app as arguments)
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        builder.ConfigureHostConfiguration(configuration => configuration.AddInMemoryCollection(values));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        if (services is not null) builder.ConfigureServices(services);
        return base.CreateHost(builder);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseEnvironment("Production");

    public override async ValueTask DisposeAsync()
    {
        try
        {
            _client?.Dispose();
            await base.DisposeAsync();
        }
        finally
        {
            // A store given to the app stays its owner's (OnEmptyStoreAsync's is the app's own).
            if (_store is null || _ownsStore) await Store.DisposeAsync();
            GC.SuppressFinalize(this);
        }
    }
}
