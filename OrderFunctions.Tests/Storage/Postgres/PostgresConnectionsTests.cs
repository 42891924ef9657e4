using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// The process's two PostgreSQL data sources as <see cref="PostgresConnections"/> builds them (no server needed: a data
/// source connects only when asked), and the reason it keeps once the table is lost.
/// </summary>
public sealed class PostgresConnectionsTests
{
    private const string Server = "Host=db.example.com;Database=orders;Username=orders";

    private static PostgresConnections Connections(string connectionString) =>
        new(Options.Create(new PostgresOrderStoreOptions { ConnectionString = connectionString }), NullLoggerFactory.Instance);

    private static NpgsqlConnectionStringBuilder Settings(NpgsqlDataSource source) => new(source.ConnectionString);

    [Fact]
    public void DataSource_names_the_application_unless_the_connection_string_does()
    {
        using var unnamed = Connections(Server);
        using var named = Connections(Server + ";Application Name=desk-7");

        Assert.Equal("OrderFunctions", Settings(unnamed.DataSource).ApplicationName); // what pg_stat_activity shows an operator
        Assert.Equal("desk-7", Settings(named.DataSource).ApplicationName);
    }

    [Fact]
    public void ProbeSource_is_a_small_pool_with_short_timeouts_under_a_name_of_its_own()
    {
        using var connections = Connections(Server + ";Timeout=30;Command Timeout=60;Maximum Pool Size=50");

        var probe = Settings(connections.ProbeSource);

        Assert.Equal((2, 2, 2, "OrderFunctions health"), (probe.Timeout, probe.CommandTimeout, probe.MaxPoolSize, probe.ApplicationName));
        Assert.Equal(("db.example.com", "orders"), (probe.Host, probe.Database));
    }

    [Fact]
    public void TableChanged_keeps_the_first_reason_it_gave()
    {
        using var connections = Connections(Server);

        var dropped = connections.TableChanged(null);
        var later = connections.TableChanged(12345); // created again since: the store still says what it found first

        Assert.StartsWith("the orders table was dropped", dropped.Cause);
        Assert.Equal(dropped.Cause, later.Cause);
        Assert.Equal(dropped.Cause, connections.TableLost);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Dispose_disposes_both_data_sources()
    {
        var connections = Connections(Server);

        connections.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => connections.DataSource.OpenConnectionAsync().AsTask());
        await Assert.ThrowsAsync<ObjectDisposedException>(() => connections.ProbeSource.OpenConnectionAsync().AsTask());
    }
}
