using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Http;
using OrderFunctions.Storage;
using OrderFunctions.Telemetry;

namespace OrderFunctions;

/// <summary>The one service registration, shared by the Functions host, the standalone host and the tests.</summary>
public static class OrderServiceCollectionExtensions
{
    public static IServiceCollection AddOrderServices(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<OrderStorageOptions>()
            .BindConfiguration(OrderStorageOptions.SectionName)
            .Configure(options => options.ConnectionString =
                configuration.GetConnectionString("Orders") is { Length: > 0 } connectionString
                    ? connectionString
                    : options.ConnectionString)
            .Validate(o => o.QueueCapacity > 0, "OrderStorage:QueueCapacity must be positive")
            .Validate(o => o.MaxOrdersPerTransaction > 0, "OrderStorage:MaxOrdersPerTransaction must be positive")
            .Validate(o => o.BusyTimeoutSeconds >= 0, "OrderStorage:BusyTimeoutSeconds must not be negative")
            .Validate(o => o.RetryAfterSeconds > 0, "OrderStorage:RetryAfterSeconds must be positive")
            .ValidateOnStart();

        // The app's meter through IMeterFactory: one per service provider, so a test reads its own host's metrics.
        services.AddMetrics();
        services.AddSingleton<OrderMetrics>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderJsonContext.Default));

        services.AddSingleton<SqliteOrderRepository>();
        services.AddSingleton<IOrderRepository>(sp => sp.GetRequiredService<SqliteOrderRepository>());
        services.AddSingleton<IOrderStoreHealth>(sp => sp.GetRequiredService<SqliteOrderRepository>());
        // Started with the host, stopped before it exits: a graceful stop commits every order already accepted.
        services.AddHostedService(sp => sp.GetRequiredService<SqliteOrderRepository>());
        services.AddSingleton<IOrderQueries, SqliteOrderQueries>();
        return services;
    }
}
