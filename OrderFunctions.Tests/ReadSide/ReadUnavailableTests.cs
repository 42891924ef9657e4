using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>When the store cannot be read, each read function answers 503 with Retry-After and a problem.</summary>
public sealed class ReadUnavailableTests : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public ReadUnavailableTests()
    {
        // A file in a directory that does not exist: a read-only open fails (SQLITE_CANTOPEN).
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}", "orders.db");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = $"Data Source={path}" })
            .Build();
        _services = new ServiceCollection().AddLogging().AddSingleton<IConfiguration>(configuration)
            .AddOrderServices(configuration).BuildServiceProvider();
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("get")]
    [InlineData("list")]
    [InlineData("stats")]
    [InlineData("stats-over-time")]
    [InlineData("export")]
    public async Task Run_returns_503_problem_with_Retry_After_when_the_store_cannot_be_read(string function)
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Response.Body = new MemoryStream();
        if (function == "stats-over-time") context.Request.QueryString = new QueryString("?interval=1m");

        var result = function switch
        {
            "get" => await ActivatorUtilities.CreateInstance<GetOrder>(_services).Run(context.Request, 1, CancellationToken.None),
            "list" => await ActivatorUtilities.CreateInstance<ListOrders>(_services).Run(context.Request, CancellationToken.None),
            "export" => await ActivatorUtilities.CreateInstance<ExportOrders>(_services).Run(context.Request, CancellationToken.None),
            _ => await ActivatorUtilities.CreateInstance<OrderStats>(_services).Run(context.Request, CancellationToken.None),
        };
        await result.ExecuteAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal("1", context.Response.Headers.RetryAfter.ToString());
    }
}
