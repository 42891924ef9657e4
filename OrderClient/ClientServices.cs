using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using OrderFunctions.Client;
using Polly;

namespace OrderClient;

/// <summary>
/// The client's one DI registration: the library's typed <see cref="OrderFunctionsClient"/> behind the standard
/// resilience handler (send, get, list, stats, export), and the plain HTTP clients of the sender (replay, load),
/// which retries by itself, and of <c>load --per-request</c>, which must not retry.
/// </summary>
public static class ClientServices
{
    public const string OrdersClientName = "orders";
    public const string LoadClientName = "load";
    public const string SenderClientName = "sender";
    public const int DefaultRetries = 5;

    public static ServiceProvider Create(ApiEndpoint endpoint, ClientEnvironment environment, int retries = DefaultRetries, int loadConnections = 1)
    {
        var services = new ServiceCollection();
        services.AddSingleton(endpoint);

        var orders = services.AddHttpClient(OrdersClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddTypedClient((http, _) => new OrderFunctionsClient(http, endpoint.ClientOptions()));
        orders.AddHttpMessageHandler(() => new OrdersUrlHandler(endpoint));
        if (environment.PrimaryHandler is { } handler) orders.ConfigurePrimaryHttpMessageHandler(handler);
        orders.AddStandardResilienceHandler(options =>
        {
            // Retrying a POST is safe here, and only here: every order the client sends carries a clientOrderId, and
            // the endpoint is idempotent on (username, clientOrderId) -- a retried order that was in fact stored comes
            // back as 200 Idempotent-Replayed, never as a second row. So unlike the handler's usual advice
            // (DisableForUnsafeHttpMethods) POST stays retried. What is retried is the standard handler's transient
            // set: HttpRequestException (connection refused, reset), an attempt timeout, 408, 429 and 5xx, with
            // exponential backoff and jitter, honouring Retry-After (the server sends it with 503 when its store is
            // unavailable or its queue is full). Any other 4xx is the order's fault: it is never retried.
            if (retries > 0)
            {
                options.Retry.MaxRetryAttempts = retries;
            }
            else
            {
                options.Retry.ShouldHandle = static _ => PredicateResult.False();
            }
            options.Retry.Delay = environment.RetryDelay;
            options.Retry.BackoffType = DelayBackoffType.Exponential;
            options.Retry.UseJitter = true;
            options.Retry.ShouldRetryAfterHeader = true;
            // One attempt may take 10 s (a batch of 10,000 orders is a few MB and one transaction); all attempts
            // together, backoff included, 2 minutes. The breaker samples at least twice the attempt timeout.
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(10);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromMinutes(2);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(30);
        });

        // The sender retries on its own (backoff, Retry-After, the same ids): its client only sends.
        var sender = services.AddHttpClient(SenderClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(() => new OrdersUrlHandler(endpoint));
        sender.ConfigurePrimaryHttpMessageHandler(environment.PrimaryHandler ?? (() => new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        }));

        var load = services.AddHttpClient(LoadClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        load.ConfigurePrimaryHttpMessageHandler(environment.PrimaryHandler ?? (() => new SocketsHttpHandler
        {
            // Each sender has its own request in flight, so the pool must hold one connection per sender.
            MaxConnectionsPerServer = Math.Max(loadConnections, 1),
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        }));
        load.AddStandardResilienceHandler(options =>
        {
            // A load generator measures the server, not the client's retries: nothing is retried, and the breaker
            // never opens (it would stop sending exactly when the server is being measured under stress). The
            // concurrency limiter is raised so it never rejects one of the C senders.
            options.Retry.ShouldHandle = static _ => PredicateResult.False();
            options.CircuitBreaker.ShouldHandle = static _ => PredicateResult.False();
            options.RateLimiter.DefaultRateLimiterOptions.PermitLimit = Math.Max(loadConnections, 1) + 16;
            options.RateLimiter.DefaultRateLimiterOptions.QueueLimit = 0;
            options.AttemptTimeout.Timeout = TimeSpan.FromSeconds(30);
            options.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(31);
            options.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(60);
        });

        return services.BuildServiceProvider();
    }
}
