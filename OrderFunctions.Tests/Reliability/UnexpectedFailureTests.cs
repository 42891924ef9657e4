using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Reliability;

/// <summary>
/// No silent 200: a dependency that throws something no function expects (here with SQL in its message) is answered
/// 500 problem+json with a trace id that is also in the log, and without the exception's text, type or stack.
/// The same outcome on the real worker is in the contract suite (<c>Contract/</c>).
/// </summary>
public sealed class UnexpectedFailureTests
{
    private const string Secret = "SQLite Error 1: 'no such column' in SELECT secret FROM Orders";

    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/API/orders" },
        { "GET", "/API/orders/7" },
        { "GET", "/API/orders" },
        { "GET", "/API/orders/stats" },
        { "GET", "/API/health" },
    };

    private static void FailingStore(IServiceCollection services)
    {
        var failure = new InvalidOperationException(Secret);
        var repository = new Mock<IOrderRepository>();
        repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var queries = new Mock<IOrderQueries>();
        queries.Setup(q => q.FindAsync(It.IsAny<long>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        queries.Setup(q => q.ListAsync(It.IsAny<OrderFilter>(), It.IsAny<long>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        queries.Setup(q => q.StatsAsync(It.IsAny<OrderFilter>(), It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var health = new Mock<IOrderStoreHealth>();
        health.Setup(h => h.CheckAsync(It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        services.Replace(ServiceDescriptor.Singleton(repository.Object));
        services.Replace(ServiceDescriptor.Singleton(queries.Object));
        services.Replace(ServiceDescriptor.Singleton(health.Object));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(Routes))]
    public async Task Function_answers_500_problem_with_a_logged_trace_id_when_its_store_throws(string method, string path)
    {
        await using var app = new StandaloneApplication(services: FailingStore);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST") request.Content = new StringContent(TestOrders.Json(), Encoding.UTF8, "application/json");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(500, problem.GetProperty("status").GetInt32());
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.Contains(app.Logs.Entries, e => e.StartsWith("Error ", StringComparison.Ordinal) && e.Contains(traceId!, StringComparison.Ordinal) && e.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain("SELECT", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }
}
