namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// A PostgreSQL fault as the store passes it on (to the queue's log, to the 503 it answers): the driver's exception
/// type, the SQLSTATE and the cause in words. The driver's own message is left out on purpose: it names the host and
/// port ("Failed to connect to 10.0.0.4:5432"), the login ("password authentication failed for user ...") or quotes
/// the statement, and log lines at Warning and above carry none of them (issue 24).
/// </summary>
public sealed class PostgresStoreException : Exception
{
    internal PostgresStoreException(Exception driver, string cause)
        : base($"{driver.GetType().Name}{(driver is Npgsql.PostgresException pg ? $" {pg.SqlState}" : "")}: {cause}")
    {
        Cause = cause;
        SqlState = (driver as Npgsql.PostgresException)?.SqlState;
    }

    /// <summary>A refusal of the store itself, with no driver exception behind it (the table was dropped or replaced).</summary>
    internal PostgresStoreException(string cause)
        : base(cause)
    {
        Cause = cause;
    }

    /// <summary>The cause in words a client may read (<see cref="PostgresFaults.Describe"/>).</summary>
    public string Cause { get; }

    /// <summary>The server's SQLSTATE, when the server answered.</summary>
    public string? SqlState { get; }
}
