using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// The one pooled <see cref="NpgsqlDataSource"/> of the process, built from <c>ConnectionStrings:Orders</c>, shared by
/// the writer, the queries and the health probe, and disposed with the host.
/// </summary>
public sealed class PostgresConnections : IDisposable
{
    public PostgresConnections(IOptions<PostgresOrderStoreOptions> options, ILoggerFactory loggerFactory)
    {
        var builder = new NpgsqlDataSourceBuilder(options.Value.ConnectionString);
        builder.UseLoggerFactory(loggerFactory);
        builder.ConnectionStringBuilder.ApplicationName ??= "OrderFunctions";
        DataSource = builder.Build();

        // Health answers quickly: its own small pool with short timeouts, so a busy writer pool cannot delay it.
        var probe = new NpgsqlConnectionStringBuilder(options.Value.ConnectionString)
        {
            Timeout = 2,
            CommandTimeout = 2,
            MaxPoolSize = 2,
            ApplicationName = "OrderFunctions health",
        };
        ProbeSource = NpgsqlDataSource.Create(probe);
    }

    public NpgsqlDataSource DataSource { get; }

    public NpgsqlDataSource ProbeSource { get; }

    public void Dispose()
    {
        DataSource.Dispose();
        ProbeSource.Dispose();
    }
}
