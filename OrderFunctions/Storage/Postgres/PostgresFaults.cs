using Npgsql;

namespace OrderFunctions.Storage.Postgres;

/// <summary>Npgsql's errors in words a client may read: no SQL, no host, no stack.</summary>
internal static class PostgresFaults
{
    /// <summary>The cause when <paramref name="exception"/> is a fault of the server or the way to it; else null.</summary>
    public static string? Describe(Exception exception) => exception switch
    {
        PostgresStoreException scrubbed => scrubbed.Cause,
        PostgresException pg => pg.SqlState switch
        {
            "57P01" or "57P02" or "57P03" => "the database server is shutting down or starting up",
            "53100" => "the database server's disk is full",
            ['5', '3', ..] => "the database server is out of resources",
            "25006" => "the database is read-only",
            "40P01" or "40001" => "the write collided with another instance's; retry",
            "57014" => "the database did not answer in time",
            ['2', '8', ..] => "the database refused the login",
            "3D000" => "the database does not exist",
            _ => "the database refused the write",
        },
        NpgsqlException { InnerException: TimeoutException } => "the database did not answer in time",
        NpgsqlException => "the database server cannot be reached",
        TimeoutException => "the database did not answer in time",
        _ => null,
    };

    /// <summary>
    /// <paramref name="exception"/> without the driver's message when it is a fault of the server (see
    /// <see cref="PostgresStoreException"/>); any other exception as it is.
    /// </summary>
    public static Exception Scrubbed(Exception exception) =>
        exception is not PostgresStoreException && Describe(exception) is { } cause ? new PostgresStoreException(exception, cause) : exception;
}
