using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrderFunctions.Access;
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

        // The write queue and health, then the engines OrderStorage:Provider chooses from; the first is the default.
        services.AddOrderStorage();
        services.AddSingleton<RequestBodyBudget>();
        services.AddSingleton<PrecedingOrderWaiter>();
        services.AddSqliteOrderStore();
        services.AddPostgresOrderStore();
        // Statistics over time and the export (issue 21): the implementation of the engine the queries come from.
        services.AddSingleton<SqliteReads>();
        services.AddSingleton<PostgresReads>();
        services.AddSingleton<IOrderBucketQueries>(sp => sp.GetRequiredService<IOrderQueries>() is PostgresOrderQueries
            ? ActivatorUtilities.CreateInstance<PostgresOrderBucketQueries>(sp)
            : ActivatorUtilities.CreateInstance<SqliteOrderBucketQueries>(sp));
        services.AddSingleton<IOrderExportQueries>(sp => sp.GetRequiredService<IOrderQueries>() is PostgresOrderQueries
            ? ActivatorUtilities.CreateInstance<PostgresOrderExport>(sp)
            : ActivatorUtilities.CreateInstance<SqliteOrderExport>(sp));
        services.AddTransient<StatsOverTime>();

        // Named callers (OrderAccess:Callers): checked by the functions themselves, so every host enforces them alike.
        services.AddOptions<OrderAccessOptions>().BindConfiguration(OrderAccessOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OrderAccessOptions>, OrderAccessValidation>();
        services.AddSingleton<OrderCallers>();
        services.AddSingleton<OrderAccess>();
        services.AddHostedService<OrderAccessAnnouncement>();
        return services;
    }
}
