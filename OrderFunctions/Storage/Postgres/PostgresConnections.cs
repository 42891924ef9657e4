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

    /// <summary>
    /// The oid of <c>orders</c> as the writer's first open found (or created) it: the table this process hands ids out
    /// for. A table of another oid under the same name was dropped and created again, its sequence started over.
    /// </summary>
    internal uint? TableOid { get; set; }

    /// <summary>Why the store refuses to serve, once <c>orders</c> was found dropped or replaced; null until then.</summary>
    public string? TableLost { get; private set; }

    /// <summary>The refusal for a table that is gone (<paramref name="oid"/> null) or not the one recorded.</summary>
    internal PostgresStoreException TableChanged(uint? oid)
    {
        TableLost ??= oid is null
            ? "the orders table was dropped after the service started; it takes and serves no orders until an operator restores it"
            : "the orders table was replaced after the service started (ids would start again); it takes and serves no orders " +
                "until an operator restores it";
        return new PostgresStoreException(TableLost);
    }

    public NpgsqlDataSource ProbeSource { get; }

    public void Dispose()
    {
        DataSource.Dispose();
        ProbeSource.Dispose();
    }
}
