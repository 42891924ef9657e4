using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderFunctions.Http;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
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
            .Validate(o => OrderStoreProvider.IsValid(o.Provider),
                $"OrderStorage:Provider must be {OrderStoreProvider.ValidNames}")
            .Validate(o => o.QueueCapacity > 0, "OrderStorage:QueueCapacity must be positive")
            .Validate(o => o.MaxOrdersPerTransaction > 0, "OrderStorage:MaxOrdersPerTransaction must be positive")
            .Validate(o => o.BusyTimeoutSeconds >= 0, "OrderStorage:BusyTimeoutSeconds must not be negative")
            .Validate(o => o.RetryAfterSeconds > 0, "OrderStorage:RetryAfterSeconds must be positive")
            .ValidateOnStart();

        // The app's meter through IMeterFactory: one per service provider, so a test reads its own host's metrics.
        services.AddMetrics();
        services.AddSingleton<OrderMetrics>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderJsonContext.Default));

        // The engine is chosen when the services are first resolved, from the bound (and validated) options, so every
        // configuration source (app settings, environment, a test's overrides) takes part.
        services.AddSingleton<IOrderBatchWriter>(sp => Engine<IOrderBatchWriter>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderWriter>(sp)));
        services.AddSingleton<IOrderStoreProbe>(sp => Engine<IOrderStoreProbe>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteStoreProbe>(sp)));
        services.AddSingleton<IOrderQueries>(sp => Engine<IOrderQueries>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderQueries>(sp)));

        services.AddSingleton<OrderWriteQueue>();
        services.AddSingleton<IOrderRepository>(sp => sp.GetRequiredService<OrderWriteQueue>());
        services.AddSingleton<IOrderStoreHealth, OrderStoreHealth>();
        // Started with the host, stopped before it exits: a graceful stop commits every order already accepted.
        services.AddHostedService(sp => sp.GetRequiredService<OrderWriteQueue>());
        return services;
    }

    private static T Engine<T>(IServiceProvider services, Func<T> sqlite)
    {
        var provider = services.GetRequiredService<IOptions<OrderStorageOptions>>().Value.Provider;
        if (OrderStoreProvider.IsSqlite(provider)) return sqlite();
        if (OrderStoreProvider.IsPostgres(provider))
        {
            throw new InvalidOperationException(
                $"OrderStorage:Provider '{OrderStoreProvider.Postgres}' is not available in this build yet; use '{OrderStoreProvider.Sqlite}'.");
        }
        throw new OptionsValidationException(OrderStorageOptions.SectionName, typeof(OrderStorageOptions),
            [$"OrderStorage:Provider must be {OrderStoreProvider.ValidNames}, not '{provider}'"]);
    }
}
