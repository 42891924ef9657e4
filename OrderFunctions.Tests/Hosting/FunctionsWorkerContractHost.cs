using OrderFunctions.Tests.Hosting.FunctionsHost;
using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>The real, built worker under <see cref="FunctionsHostFixture"/>, on its own temporary database.</summary>
public sealed class FunctionsWorkerContractHost : IOrderApiHost, IAsyncLifetime
{
    private FunctionsHostFixture _host = null!;

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    public CapturedLogs Logs => _host.Logs;

    public FunctionsHostFixture Host => _host;

    public HttpClient CreateClient() => _host.CreateClient();

    public async Task InitializeAsync() =>
        _host = await FunctionsHostFixture.StartAsync(
            new Dictionary<string, string>
            {
                ["ConnectionStrings__Orders"] = $"Data Source={DatabasePath}",
                ["OrderStorage__PrecedingOrderWait"] = OrderApiContract.PrecedingOrderWait,
            });

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        TestStore.Sqlite(DatabasePath).Dispose();
    }
}
