using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>The PostgreSQL engine's registration: <c>services.AddPostgresOrderStore()</c>, chosen by <c>OrderStorage:Provider=Postgres</c>.</summary>
public static class PostgresOrderStore
{
    /// <summary>What <c>OrderStorage:Provider</c> says to choose this engine (case-insensitive).</summary>
    public const string ProviderName = "Postgres";

    public static IServiceCollection AddPostgresOrderStore(this IServiceCollection services)
    {
        services.AddOptions<PostgresOrderStoreOptions>()
            .BindConfiguration(PostgresOrderStoreOptions.SectionName)
            .Validate(o => o.BusyTimeoutSeconds >= 0, "OrderStorage:BusyTimeoutSeconds must not be negative")
            .Validate(o => o.StatementTimeoutSeconds >= 0, "OrderStorage:PostgresStatementTimeoutSeconds must not be negative")
            .Validate(o => o.KeyWaitMilliseconds > 0, "OrderStorage:PostgresKeyWaitMilliseconds must be positive")
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString =
                configuration.GetConnectionString("Orders") is { Length: > 0 } connectionString
                    ? connectionString
                    : options.ConnectionString);

        services.AddSingleton<PostgresConnections>();
        services.AddSingleton(new OrderStoreEngine(
            ProviderName,
            CheckConnectionString,
            sp => ActivatorUtilities.CreateInstance<PostgresOrderWriter>(sp),
            sp => ActivatorUtilities.CreateInstance<PostgresStoreProbe>(sp),
            sp => ActivatorUtilities.CreateInstance<PostgresOrderQueries>(sp)));
        return services;
    }

    private static string? CheckConnectionString(IServiceProvider services) =>
        IsPostgresConnectionString(services.GetRequiredService<IOptions<PostgresOrderStoreOptions>>().Value.ConnectionString)
            ? null
            : "ConnectionStrings:Orders must name a PostgreSQL server, such as " +
                "'Host=db.example.com;Database=orders;Username=orders;Password=...', when OrderStorage:Provider is Postgres";

    /// <summary>True when <paramref name="connectionString"/> parses for Npgsql and names a host.</summary>
    private static bool IsPostgresConnectionString(string connectionString)
    {
        try
        {
            // Stryker disable once Equality : equivalent, Npgsql reads an empty Host as none (null)
            return new NpgsqlConnectionStringBuilder(connectionString).Host is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
