using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// The standalone host in process with <see cref="AccessCallers"/> configured, storing in a PostgreSQL schema of its own:
/// the scoped reads' SQL (<c>username = ANY(...)</c>, <c>starts_with</c>) runs on PostgreSQL. Not started where
/// PostgreSQL is missing outside CI (the tests then skip with the reason).
/// </summary>
public sealed class PostgresAccessContractHost : IOrderApiHost, IAsyncLifetime
{
    private StandaloneApplication? _app;

    public TestStore Store { get; private set; } = null!;

    public string DatabasePath => throw new NotSupportedException("The PostgreSQL host has no SQLite file: read rows through Store.");

    public CapturedLogs Logs => App.Logs;

    public HttpClient CreateClient() => App.CreateClient();

    private StandaloneApplication App => _app ?? throw new InvalidOperationException(PostgresAvailability.SkipReason ?? "Not started.");

    public async Task InitializeAsync()
    {
        if (PostgresAvailability.SkipReason is not null) return;
        Store = await TestStore.PostgresAsync();
        _app = StandaloneApplication.ForStore(Store, AccessCallers.Environment()
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value));
        _ = _app.Server;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        if (Store is not null) await Store.DisposeAsync();
    }
}
