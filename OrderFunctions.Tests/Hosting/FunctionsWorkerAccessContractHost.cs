using OrderFunctions.Tests.Hosting.FunctionsHost;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>The real worker under <see cref="FunctionsHostFixture"/> with <see cref="AccessCallers"/> configured.</summary>
public sealed class FunctionsWorkerAccessContractHost : IOrderApiHost, IAsyncLifetime
{
    private FunctionsHostFixture _host = null!;

    public string DatabasePath { get; } = Path.Combine(Path.GetTempPath(), $"orders-{Guid.NewGuid():N}.db");

    public CapturedLogs Logs => _host.Logs;

    public HttpClient CreateClient() => _host.CreateClient();

    public async Task InitializeAsync()
    {
        var settings = AccessCallers.Environment();
        settings["ConnectionStrings__Orders"] = $"Data Source={DatabasePath}";
        _host = await FunctionsHostFixture.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        TestStore.Sqlite(DatabasePath).Dispose();
    }
}
