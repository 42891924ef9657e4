using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>When the store cannot be read, each read function answers 503 with Retry-After and a problem.</summary>
public sealed class ReadUnavailableTests : IAsyncLifetime
{
    // A file in a directory that does not exist: a read-only open fails (SQLITE_CANTOPEN).
    private readonly StandaloneApplication _app = new(new Dictionary<string, string?>
    {
        ["ConnectionStrings:Orders"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "orders.db")}",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("get", "/API/orders/1")]
    [InlineData("list", "/API/orders")]
    [InlineData("stats", "/API/orders/stats")]
    [InlineData("stats-over-time", "/API/orders/stats?interval=1m")]
    [InlineData("export", "/API/orders/export")]
    public async Task Run_returns_503_problem_with_Retry_After_when_the_store_cannot_be_read(string function, string pathAndQuery)
    {
        var response = await _app.GetAsync(pathAndQuery);

        Assert.True(503 == response.Status, $"{function}: {response.Status} {response.Body}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("1", response.Header("Retry-After"));
    }
}
