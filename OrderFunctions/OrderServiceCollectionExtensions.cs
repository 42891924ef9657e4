using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    /// <summary>The log category under which Npgsql logs each command it executes.</summary>
    public const string NpgsqlCommandCategory = "Npgsql.Command";

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

        // Npgsql logs every command it runs, SQL included, at Information (category Npgsql.Command): more bytes than
        // the request log, and statements an operator did not ask for. Off by default: Warning and above, unless the
        // configuration names an Npgsql category itself (Logging:LogLevel:Npgsql.Command = Information turns it on).
        services.AddOptions<LoggerFilterOptions>().PostConfigure(options =>
        {
            if (!options.Rules.Any(rule => rule.CategoryName?.StartsWith("Npgsql", StringComparison.Ordinal) == true))
            {
                options.Rules.Add(new LoggerFilterRule(null, NpgsqlCommandCategory, LogLevel.Warning, null));
            }
        });

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
        if (options.ConnectionString.StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw Invalid(UnresolvedKeyVaultReference);
        }
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

    public const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>
    /// What the app says when App Service handed it the Key Vault reference itself instead of the secret: the platform
    /// leaves the literal reference in the setting when it cannot resolve it.
    /// </summary>
    public const string UnresolvedKeyVaultReference =
        "ConnectionStrings:Orders is an unresolved Key Vault reference (the app setting still reads '@Microsoft.KeyVault(...)'): " +
        "App Service could not fetch the secret. Check that the secret exists at the referenced vault and name, that the " +
        "identity named by the site's keyVaultReferenceIdentity has the 'Key Vault Secrets User' role on the vault (a new " +
        "role assignment can take minutes to apply), that the vault's network rules admit App Service, and the reference's " +
        "status in the portal (the app setting's Source column, or Diagnose and solve problems > Key Vault Application Settings Diagnostics); then restart the app.";

    private static OptionsValidationException Invalid(string message) =>
        new(OrderStorageOptions.SectionName, typeof(OrderStorageOptions), [message]);
}
