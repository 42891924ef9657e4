using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace OrderFunctions.Storage.Sqlite;

/// <summary>The SQLite engine's registration: <c>services.AddSqliteOrderStore()</c>, chosen by <c>OrderStorage:Provider=Sqlite</c>.</summary>
public static class SqliteOrderStore
{
    /// <summary>What <c>OrderStorage:Provider</c> says to choose this engine (case-insensitive).</summary>
    public const string ProviderName = "Sqlite";

    public static IServiceCollection AddSqliteOrderStore(this IServiceCollection services)
    {
        services.AddOptions<SqliteOrderStoreOptions>()
            .BindConfiguration(SqliteOrderStoreOptions.SectionName)
            .Configure<IConfiguration>((options, configuration) => options.ConnectionString =
                configuration.GetConnectionString("Orders") is { Length: > 0 } connectionString
                    ? connectionString
                    : options.ConnectionString)
            .Validate(o => o.BusyTimeoutSeconds >= 0, "OrderStorage:BusyTimeoutSeconds must not be negative")
            .Validate(o => o.MaxConcurrentReads > 0, "OrderStorage:MaxConcurrentReads must be positive")
            .ValidateOnStart();

        services.AddSingleton<IFileSystemProbe, MountInfoFileSystemProbe>();
        services.AddSingleton<SqliteDatabaseFile>(); // the writer and the health probe share what the writer opened
        services.AddSingleton<SqliteReadGate>();
        services.AddSingleton(new OrderStoreEngine(
            ProviderName,
            CheckConnectionString,
            sp => ActivatorUtilities.CreateInstance<SqliteOrderWriter>(sp),
            sp => ActivatorUtilities.CreateInstance<SqliteStoreProbe>(sp),
            sp => ActivatorUtilities.CreateInstance<SqliteOrderQueries>(sp)));
        return services;
    }

    private static string? CheckConnectionString(IServiceProvider services) =>
        IsSqliteConnectionString(services.GetRequiredService<IOptions<SqliteOrderStoreOptions>>().Value.ConnectionString)
            ? null
            : "ConnectionStrings:Orders must be a SQLite connection string such as 'Data Source=orders.db' when OrderStorage:Provider is Sqlite";

    /// <summary>True when <paramref name="connectionString"/> parses for Microsoft.Data.Sqlite and names a file.</summary>
    private static bool IsSqliteConnectionString(string connectionString)
    {
        try
        {
            return new SqliteConnectionStringBuilder(connectionString).DataSource is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
