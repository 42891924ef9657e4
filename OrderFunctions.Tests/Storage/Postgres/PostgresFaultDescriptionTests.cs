using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using OrderFunctions.Storage.Postgres;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// What the PostgreSQL writer says a fault is (<c>DescribeFault</c>, which the queue puts in its 503s and logs): each
/// SQLSTATE the engine names, in words a client may read, and null for what is no fault of the store (answered 500).
/// The real faults (<c>PostgresFaultTests</c>, <c>PostgresFaultSecrecyTests</c>) reach only a few of these codes; a
/// server cannot be made to answer most of them (a full disk, a crash shutdown) on demand.
/// </summary>
public sealed class PostgresFaultDescriptionTests : IDisposable
{
    private readonly PostgresConnections _connections;
    private readonly PostgresOrderWriter _writer;

    public PostgresFaultDescriptionTests()
    {
        var options = Options.Create(new PostgresOrderStoreOptions { ConnectionString = ClosedPortConnectionString() });
        _connections = new PostgresConnections(options, NullLoggerFactory.Instance);
        _writer = new PostgresOrderWriter(_connections, options);
    }

    public void Dispose()
    {
        _writer.Dispose();
        _connections.Dispose();
    }

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown, "the database server is shutting down or starting up")]
    [InlineData(PostgresErrorCodes.CrashShutdown, "the database server is shutting down or starting up")]
    [InlineData(PostgresErrorCodes.CannotConnectNow, "the database server is shutting down or starting up")]
    [InlineData(PostgresErrorCodes.DiskFull, "the database server's disk is full")]
    [InlineData(PostgresErrorCodes.InsufficientResources, "the database server is out of resources")]
    [InlineData(PostgresErrorCodes.OutOfMemory, "the database server is out of resources")]
    [InlineData(PostgresErrorCodes.TooManyConnections, "the database server is out of resources")]
    [InlineData(PostgresErrorCodes.ReadOnlySqlTransaction, "the database is read-only")]
    [InlineData(PostgresErrorCodes.DeadlockDetected, "the write collided with another instance's; retry")]
    [InlineData(PostgresErrorCodes.SerializationFailure, "the write collided with another instance's; retry")]
    [InlineData(PostgresErrorCodes.QueryCanceled, "the database did not answer in time")]
    [InlineData(PostgresErrorCodes.InvalidAuthorizationSpecification, "the database refused the login")]
    [InlineData(PostgresErrorCodes.InvalidPassword, "the database refused the login")]
    [InlineData(PostgresErrorCodes.InvalidCatalogName, "the database does not exist")]
    [InlineData(PostgresErrorCodes.UniqueViolation, "the database refused the write")]
    [InlineData(PostgresErrorCodes.UndefinedTable, "the database refused the write")]
    [InlineData(PostgresErrorCodes.OperatorIntervention, "the database refused the write")]
    [InlineData("5F000", "the database refused the write")] // a class of its own that starts like class 53's code
    [InlineData("35300", "the database refused the write")] // class 35, ends like class 53's code
    public void DescribeFault_names_the_cause_in_words_when_the_server_answers_with_a_sqlstate(string sqlState, string expected)
    {
        var fault = new PostgresException("the server's own message", "ERROR", "ERROR", sqlState);

        Assert.Equal(expected, _writer.DescribeFault(fault));
    }

    [Fact]
    public void DescribeFault_says_the_database_did_not_answer_in_time_when_the_driver_or_the_caller_timed_out()
    {
        Assert.Equal("the database did not answer in time", _writer.DescribeFault(new NpgsqlException("read", new TimeoutException())));
        Assert.Equal("the database did not answer in time", _writer.DescribeFault(new TimeoutException()));
    }

    [Fact]
    public void DescribeFault_says_the_server_cannot_be_reached_when_the_driver_fails_without_a_timeout()
    {
        Assert.Equal("the database server cannot be reached", _writer.DescribeFault(new NpgsqlException("connection refused")));
        Assert.Equal("the database server cannot be reached",
            _writer.DescribeFault(new NpgsqlException("broken", new IOException("reset"))));
    }

    [Fact]
    public void DescribeFault_says_the_server_cannot_be_reached_when_the_driver_lets_a_socket_failure_through_unwrapped()
    {
        // What Npgsql's RawOpen threw when the connection was closed right after connect (seen in CI through the
        // fault proxy): answered 500 as a bug before, though the way to the server had failed.
        Assert.Equal("the database server cannot be reached",
            _writer.DescribeFault(new IOException("The operation is not allowed on non-connected sockets.")));
        Assert.Equal("the database server cannot be reached",
            _writer.DescribeFault(new SocketException((int)SocketError.ConnectionReset)));
    }

    [Fact]
    public void DescribeFault_returns_null_when_the_failure_is_not_the_stores()
    {
        Assert.Null(_writer.DescribeFault(new InvalidOperationException("a bug")));
        Assert.Null(_writer.DescribeFault(new ArgumentException("a bug")));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Open_throws_the_scrubbed_cause_and_DescribeFault_keeps_it_when_no_server_listens()
    {
        await Task.Yield();

        var error = Assert.ThrowsAny<Exception>(_writer.Open);

        var scrubbed = Assert.IsType<PostgresStoreException>(error);
        Assert.Equal("the database server cannot be reached", scrubbed.Cause);
        Assert.Null(scrubbed.SqlState);
        Assert.Equal("the database server cannot be reached", _writer.DescribeFault(scrubbed));
        Assert.Equal($"{nameof(NpgsqlException)}: the database server cannot be reached", scrubbed.Message);
    }

    [Fact]
    public void Scrubbed_keeps_the_sqlstate_and_the_cause_without_the_servers_message()
    {
        var fault = new PostgresException("could not extend file \"base/16384/2619\" on host db.example.com", "ERROR", "ERROR",
            PostgresErrorCodes.DiskFull);

        var scrubbed = Assert.IsType<PostgresStoreException>(PostgresFaults.Scrubbed(fault));

        Assert.Equal($"{nameof(PostgresException)} 53100: the database server's disk is full", scrubbed.Message);
        Assert.Equal(("53100", "the database server's disk is full"), (scrubbed.SqlState, scrubbed.Cause));
    }

    // A port the OS handed out and took back: nothing listens on it, so a connection is refused at once.
    private static string ClosedPortConnectionString()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"Host=127.0.0.1;Port={port};Username=nobody;Password=secret;Database=orders;Timeout=5";
    }
}
