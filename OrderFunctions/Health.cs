using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using OrderFunctions.Http;
using OrderFunctions.Storage;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/health</c> (and <c>HEAD</c>), anonymous, for load balancers and Azure health checks: 200 <c>{"status":"healthy"}</c> when
/// the store answers, 503 problem details with Retry-After when it does not.
/// </summary>
public sealed partial class Health(IOrderStoreHealth store, ILogger<Health> logger)
{
    [Function(nameof(Health))]
    [EndpointSummary("Health")]
    [EndpointDescription("Whether the store takes orders now; anonymous, for load balancers and Azure health checks.")]
    [Tags("Service")]
    [ProducesResponseType<HealthReport>(200, "application/json", Description = "The store answers and its last write succeeded.")]
    [ProducesResponseType<ProblemDetails>(503, "application/problem+json",
        Description = "The store cannot take orders now: the reason, and Retry-After.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest request,
        CancellationToken cancellationToken) =>
        FunctionBoundary.RunAsync(request, this, static (request, function, ct) => function.HandleAsync(request, ct), logger, cancellationToken);

    private async Task<IResult> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var health = await store.CheckAsync(cancellationToken);
        if (health.IsHealthy) return TypedResults.Ok(new HealthReport("healthy"));

        LogUnhealthy(health.Problem!);
        return Problems.Unhealthy(health.Problem!, health.RetryAfter);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check failed: {Reason}")]
    private partial void LogUnhealthy(string reason);
}

/// <summary>The body of a healthy answer.</summary>
public sealed record HealthReport(string Status);
