using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// No silent 200: a dependency that throws something no function expects (here with SQL in its message) is answered
/// 500 problem+json with a trace id that is also in the log, and without the exception's text, type or stack.
/// The same outcome on the real worker is in the contract suite (<c>Hosting/OrderApiContract.cs</c>). The <c>Run_</c> tests call the
/// function itself in process (the mutation tests run those): which trace id, 499 for a caller that went away, the
/// server's own status for a body it refused.
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

    private static void FailingStore(IServiceCollection services) => FailingStore(new InvalidOperationException(Secret))(services);

    private static Action<IServiceCollection> FailingStore(Exception failure) => services =>
    {
        var repository = new Mock<IOrderRepository>();
        repository.Setup(r => r.AddAsync(It.IsAny<Order>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var queries = new Mock<IOrderQueries>();
        queries.Setup(q => q.FindAsync(It.IsAny<long>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        queries.Setup(q => q.ListAsync(It.IsAny<OrderFilter>(), It.IsAny<long>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);
        queries.Setup(q => q.ListSliceAsync(It.IsAny<OrderFilter>(), It.IsAny<long>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);
        queries.Setup(q => q.StatsAsync(It.IsAny<OrderFilter>(), It.IsAny<string?>(), It.IsAny<int>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(failure);
        var health = new Mock<IOrderStoreHealth>();
        health.Setup(h => h.CheckAsync(It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        services.Replace(ServiceDescriptor.Singleton(repository.Object));
        services.Replace(ServiceDescriptor.Singleton(queries.Object));
        services.Replace(ServiceDescriptor.Singleton(health.Object));
    };

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
        Assert.Contains(app.Logs.Entries,
            e => e.StartsWith("Error ", StringComparison.Ordinal) && e.Contains(traceId!, StringComparison.Ordinal)
            && e.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain("SELECT", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(nameof(InvalidOperationException), body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    private const string RequestTraceId = "0HN7REQUEST:00000001";

    // POST /API/orders straight into CreateOrder, created over the app's services as the worker creates it; the result
    // is executed on the request's own context, as the host does (ProblemHttpResult writes traceId from that context).
    private static async Task<(Returned Problem, ApiResponse Response)> RunCreateOrderAsync(StandaloneApplication app,
        Stream? body = null, CancellationToken functionToken = default, CancellationToken requestAborted = default)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var request = StandaloneApplication.NewRequest(scope.ServiceProvider, TestOrders.Json());
        if (body is not null) request.Body = body;
        request.HttpContext.TraceIdentifier = RequestTraceId;
        request.HttpContext.RequestAborted = requestAborted;
        var function = ActivatorUtilities.CreateInstance<CreateOrder>(scope.ServiceProvider);
        var result = await function.Run(request, functionToken);
        // As the function returned it: executing it adds the framework's own traceId to the same object.
        var problem = Assert.IsType<ProblemHttpResult>(result);
        var returned = new Returned(problem.StatusCode, problem.ProblemDetails.Title, problem.ProblemDetails.Detail,
            problem.ProblemDetails.Extensions.TryGetValue(UnexpectedFailure.TraceIdExtension, out var traceId) ? traceId : null);
        return (returned, await app.ExecuteAsync(result, request.HttpContext));
    }

    private sealed record Returned(int Status, string? Title, string? Detail, object? TraceId);

    private static void AssertProblem(Returned problem, int status, string title, string detail, string? traceId) =>
        Assert.Equal(new Returned(status, title, detail, traceId), problem);

    // What a client that is still there reads.
    private static void AssertBody(ApiResponse response, int status, string title, string detail, string? traceId)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        Assert.Equal(title, response.Json.GetProperty("title").GetString());
        Assert.Equal(detail, response.Json.GetProperty("detail").GetString());
        if (traceId is not null) Assert.Equal(traceId, response.Json.GetProperty(UnexpectedFailure.TraceIdExtension).GetString());
    }

    private static string Detail500(string traceId) => $"The service failed while handling this request. Quote traceId {traceId} when reporting it.";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_500_with_the_current_activity_id_as_trace_id_and_logs_it_at_error_when_the_store_throws()
    {
        // Arrange: a trace in progress, as the worker's telemetry starts one per invocation.
        await using var app = new StandaloneApplication(services: FailingStore(new InvalidOperationException(Secret)));
        using var activity = new Activity("invocation").SetIdFormat(ActivityIdFormat.W3C).Start();

        // Act
        var (problem, response) = await RunCreateOrderAsync(app);

        // Assert: the activity's id, not the request's own identifier, is the one to quote and the one logged.
        AssertProblem(problem, 500, "Internal Server Error", Detail500(activity.Id!), activity.Id);
        AssertBody(response, 500, "Internal Server Error", Detail500(activity.Id!), activity.Id);
        Assert.Contains(app.Logs.Entries, e => e.StartsWith("Error ", StringComparison.Ordinal)
            && e.Contains($"POST /API/orders failed unexpectedly (traceId {activity.Id})", StringComparison.Ordinal)
                && e.Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_500_with_the_request_trace_identifier_when_no_activity_is_running()
    {
        await using var app = new StandaloneApplication(services: FailingStore(new InvalidOperationException(Secret)));
        Activity.Current = null;

        var (problem, response) = await RunCreateOrderAsync(app);

        AssertProblem(problem, 500, "Internal Server Error", Detail500(RequestTraceId), RequestTraceId);
        AssertBody(response, 500, "Internal Server Error", Detail500(RequestTraceId), RequestTraceId);
        Assert.Contains(app.Logs.Entries,
            e => e.StartsWith("Error ", StringComparison.Ordinal) && e.Contains(RequestTraceId, StringComparison.Ordinal));
    }

    // The store gives up with OperationCanceledException when the token it was handed is cancelled: the function's own
    // (the worker cancels it when the invocation is cancelled) or the request's (the caller's connection closed). Nobody
    // reads the answer, so it is checked as the function returns it.
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Run_answers_499_and_logs_no_error_when_the_caller_cancelled(bool functionCancelled, bool requestAborted)
    {
        await using var app = new StandaloneApplication(services: FailingStore(new OperationCanceledException()));
        Activity.Current = null;
        using var function = new CancellationTokenSource();
        using var request = new CancellationTokenSource();
        if (functionCancelled) await function.CancelAsync();
        if (requestAborted) await request.CancelAsync();

        var (problem, _) = await RunCreateOrderAsync(app, functionToken: function.Token, requestAborted: request.Token);

        AssertProblem(problem, 499, "Client Closed Request", "The request was cancelled before it was answered.", RequestTraceId);
        Assert.Contains(app.Logs.Entries, e => e.StartsWith("Information ", StringComparison.Ordinal)
            && e.Contains($"POST /API/orders was cancelled by the caller (traceId {RequestTraceId})", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Entries, e => e.StartsWith("Error ", StringComparison.Ordinal));
    }

    // Only a cancellation the caller asked for is the caller's: the store timing out on its own, or failing while the
    // caller happens to be gone, is still the service's fault.
    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task Run_answers_500_when_the_failure_is_not_the_callers_cancellation(bool storeCancelledItself, bool callerGone)
    {
        Exception failure = storeCancelledItself ? new OperationCanceledException("the store's own timeout") : new InvalidOperationException(Secret);
        await using var app = new StandaloneApplication(services: FailingStore(failure));
        Activity.Current = null;
        using var caller = new CancellationTokenSource();
        if (callerGone) await caller.CancelAsync();

        var (problem, _) = await RunCreateOrderAsync(app, requestAborted: caller.Token);

        AssertProblem(problem, 500, "Internal Server Error", Detail500(RequestTraceId), RequestTraceId);
        Assert.Contains(app.Logs.Entries,
            e => e.StartsWith("Error ", StringComparison.Ordinal) && e.Contains(RequestTraceId, StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_the_servers_own_status_when_the_server_refuses_the_body_while_it_is_read()
    {
        // Arrange: Kestrel throws BadHttpRequestException from the body stream when it passes MaxRequestBodySize.
        const string reason = "Request body too large. The max request body size is 30000000 bytes.";
        await using var app = new StandaloneApplication();
        var body = new Mock<Stream>();
        body.Setup(s => s.ReadAsync(It.IsAny<Memory<byte>>(), It.IsAny<CancellationToken>()))
            .Throws(new BadHttpRequestException(reason, StatusCodes.Status413PayloadTooLarge));

        // Act
        var (problem, response) = await RunCreateOrderAsync(app, body.Object);

        // Assert
        AssertProblem(problem, 413, "Payload Too Large", reason, traceId: null);
        AssertBody(response, 413, "Payload Too Large", reason, traceId: null);
        Assert.Contains(app.Logs.Entries, e => e.StartsWith("Information ", StringComparison.Ordinal)
            && e.Contains($"POST /API/orders was refused with 413: {reason}", StringComparison.Ordinal));
    }
}
