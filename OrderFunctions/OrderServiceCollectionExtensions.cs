using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrderFunctions.Http;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
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
            .Validate(o => o.MaxConcurrentReads > 0, "OrderStorage:MaxConcurrentReads must be positive")
            .ValidateOnStart();

        // The app's meter through IMeterFactory: one per service provider, so a test reads its own host's metrics.
        services.AddMetrics();
        services.AddSingleton<OrderMetrics>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, OrderJsonContext.Default));

        // The engine is chosen when the services are first resolved, from the bound (and validated) options, so every
        // configuration source (app settings, environment, a test's overrides) takes part.
        services.AddSingleton<PostgresConnections>();
        services.AddSingleton<IFileSystemProbe, MountInfoFileSystemProbe>();
        services.AddSingleton<SqliteDatabaseFile>(); // the writer and the health probe share what the writer opened
        services.AddSingleton<IOrderBatchWriter>(sp => Engine<IOrderBatchWriter>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderWriter>(sp),
            postgres: () => ActivatorUtilities.CreateInstance<PostgresOrderWriter>(sp)));
        services.AddSingleton<IOrderStoreProbe>(sp => Engine<IOrderStoreProbe>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteStoreProbe>(sp),
            postgres: () => ActivatorUtilities.CreateInstance<PostgresStoreProbe>(sp)));
        services.AddSingleton<SqliteReadGate>();
        services.AddSingleton<IOrderQueries>(sp => Engine<IOrderQueries>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderQueries>(sp),
            postgres: () => ActivatorUtilities.CreateInstance<PostgresOrderQueries>(sp)));
        // Statistics over time and the export (issue 21): one implementation per engine, each in its own file.
        services.AddSingleton<SqliteReads>();
        services.AddSingleton<PostgresReads>();
        services.AddSingleton<IOrderBucketQueries>(sp => Engine<IOrderBucketQueries>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderBucketQueries>(sp),
            postgres: () => ActivatorUtilities.CreateInstance<PostgresOrderBucketQueries>(sp)));
        services.AddSingleton<IOrderExportQueries>(sp => Engine<IOrderExportQueries>(sp,
            sqlite: () => ActivatorUtilities.CreateInstance<SqliteOrderExport>(sp),
            postgres: () => ActivatorUtilities.CreateInstance<PostgresOrderExport>(sp)));
        services.AddTransient<StatsOverTime>();

        services.AddSingleton<OrderWriteQueue>();
        services.AddSingleton<IOrderRepository>(sp => sp.GetRequiredService<OrderWriteQueue>());
        services.AddSingleton<IOrderStoreHealth, OrderStoreHealth>();
        // Started with the host, stopped before it exits: a graceful stop commits every order already accepted.
        services.AddHostedService(sp => sp.GetRequiredService<OrderWriteQueue>());
        return services;
    }

    // The connection string is checked against the engine here, when the host starts the writer, rather than in the
    // options' validation: each setting stays valid on its own, and a mismatch still stops the start with this message.
    private static T Engine<T>(IServiceProvider services, Func<T> sqlite, Func<T> postgres)
    {
        var options = services.GetRequiredService<IOptions<OrderStorageOptions>>().Value;
        var provider = options.Provider;
        if (OrderStoreProvider.IsSqlite(provider))
        {
            if (!OrderStoreProvider.IsSqliteConnectionString(options.ConnectionString))
            {
                throw Invalid("ConnectionStrings:Orders must be a SQLite connection string such as 'Data Source=orders.db' when OrderStorage:Provider is Sqlite");
            }
            return sqlite();
        }
        if (OrderStoreProvider.IsPostgres(provider))
        {
            if (!OrderStoreProvider.IsPostgresConnectionString(options.ConnectionString))
            {
                throw Invalid("ConnectionStrings:Orders must name a PostgreSQL server, such as 'Host=db.example.com;Database=orders;Username=orders;Password=...', when OrderStorage:Provider is Postgres");
            }
            return postgres();
        }
        throw Invalid($"OrderStorage:Provider must be {OrderStoreProvider.ValidNames}, not '{provider}'");
    }

    private static OptionsValidationException Invalid(string message) =>
        new(OrderStorageOptions.SectionName, typeof(OrderStorageOptions), [message]);
}
