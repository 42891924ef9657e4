using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the client library with the options pattern (Azure SDK's <c>AddXxx(IConfiguration)</c> shape).</summary>
public static class OrderSenderServiceCollectionExtensions
{
    /// <summary>The named HttpClient the sender sends through (one keep-alive connection pool).</summary>
    public const string HttpClientName = "OrderFunctions.Client.Sender";

    /// <summary>
    /// Registers a singleton <see cref="OrderSender"/> bound to <paramref name="section"/> (Endpoint, Key, MaxBatchOrders,
    /// Linger, MaxBufferedOrders, SpoolDirectory, MaxSpoolBytes, SpoolFlush, ...) and a hosted service that opens it at
    /// start (so a locked spool fails the start) and drains it on shutdown within DrainTimeout.
    /// </summary>
    public static IServiceCollection AddOrderSender(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<OrderSenderOptions>().Bind(section)
            .Validate(o => o.Endpoint is { IsAbsoluteUri: true }, "OrderSender: Endpoint must be an absolute URL")
            .Validate(o => o.MaxBatchOrders is >= 1 and <= 10_000, "OrderSender: MaxBatchOrders must be 1 to 10000")
            .Validate(o => o.MaxRequestOrders is >= 1 and <= 10_000, "OrderSender: MaxRequestOrders must be 1 to 10000")
            .Validate(o => o.MaxRequestsInFlight is >= 1 and <= 4, "OrderSender: MaxRequestsInFlight must be 1 to 4")
            .Validate(o => o.MaxBufferedOrders >= o.MaxBatchOrders, "OrderSender: MaxBufferedOrders must be at least MaxBatchOrders")
            .ValidateOnStart();
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(SenderHttp.CreateHandler);
        services.TryAddSingleton(sp => new OrderSender(
            sp.GetRequiredService<IOptions<OrderSenderOptions>>().Value,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
            sp.GetService<ILogger<OrderSender>>(),
            sp.GetService<IMeterFactory>()));
        services.AddHostedService<OrderSenderHostedService>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="OrderFunctionsClient"/> as a typed HttpClient bound to <paramref name="section"/> (Endpoint, Key, RequestTimeout).
    /// </summary>
    public static IServiceCollection AddOrderFunctionsClient(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<OrderFunctionsClientOptions>().Bind(section);
        services.AddHttpClient<OrderFunctionsClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(SenderHttp.CreateHandler)
            .AddTypedClient((http, sp) => new OrderFunctionsClient(http, sp.GetRequiredService<IOptions<OrderFunctionsClientOptions>>().Value));
        return services;
    }
}

/// <summary>Opens the sender when the host starts and drains it when the host stops.</summary>
internal sealed class OrderSenderHostedService(OrderSender sender, IOptions<OrderSenderOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask; // resolving the sender opened it

    public async Task StopAsync(CancellationToken cancellationToken) =>
        await sender.StopAsync(options.Value.DrainTimeout).WaitAsync(cancellationToken).ConfigureAwait(false);
}
