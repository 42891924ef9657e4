using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>The standalone host's <c>Program</c>, in process, on its own temporary database.</summary>
public sealed class StandaloneContractHost : IOrderApiHost, IAsyncLifetime
{
    private readonly StandaloneApplication _app =
        new(new Dictionary<string, string?> { ["OrderStorage:PrecedingOrderWait"] = OrderApiContract.PrecedingOrderWait });

    public string DatabasePath => _app.DatabasePath;

    public CapturedLogs Logs => _app.Logs;

    public HttpClient CreateClient() => _app.CreateClient();

    public Task InitializeAsync()
    {
        _ = _app.Server; // start it now, as the worker is started before its first test
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
