using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrderFunctions.Standalone;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// The standalone host's own <c>Program.cs</c>, in process (TodoApi's <c>TodoApplication</c>): a temporary database,
/// settings layered over the app's, and services a test swaps. The type argument only names the standalone assembly
/// (its top-level <c>Program</c> shares a name with the function app's).
/// </summary>
public class StandaloneApplication(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<OrderApiOptions>
{
    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    /// <summary>Everything the app logged.</summary>
    public CapturedLogs Logs { get; } = new();

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var values = new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={DatabasePath}" };
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
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try { File.Delete(DatabasePath + suffix); } catch (IOException) { }
        }
        GC.SuppressFinalize(this);
    }
}
