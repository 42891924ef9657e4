using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderFunctions.Standalone;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The one way tests stand the app up: the standalone host's own <c>Program.cs</c>, in process (TodoApi's
/// <c>TodoApplication</c>), on a temporary database, with settings layered over the app's and services a test swaps.
/// <see cref="CreateClient"/> goes through the in-memory TestServer; <see cref="StartAsync"/> serves on a real
/// loopback socket (Kestrel on port 0) for tests that need one (the client, locks held while requests wait).
/// Child processes remain only where a process is the point (Functions-host fixture, SIGKILL/SIGTERM, process logs).
/// The type argument only names the standalone assembly (its top-level <c>Program</c> shares a name with the function app's).
/// </summary>
public class StandaloneApplication(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, string? databasePath = null)
    : WebApplicationFactory<OrderApiOptions>
{
    public string DatabasePath { get; } = databasePath ?? Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

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
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        return this;
    }

    /// <summary>Rows in Orders, read through a connection of the test's own.</summary>
    public long CountRows()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Orders";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

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
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(DatabasePath + suffix); } catch (IOException) { }
        }
        GC.SuppressFinalize(this);
    }
}
