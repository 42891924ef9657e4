using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Hosting;

/// <summary>The standalone host in process with <see cref="AccessCallers"/> configured.</summary>
public sealed class StandaloneAccessContractHost : IOrderApiHost, IAsyncLifetime
{
    private readonly StandaloneApplication _app = new(AccessCallers.Environment()
        .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));

    public string DatabasePath => _app.DatabasePath;

    public CapturedLogs Logs => _app.Logs;

    public HttpClient CreateClient() => _app.CreateClient();

    public Task InitializeAsync()
    {
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
