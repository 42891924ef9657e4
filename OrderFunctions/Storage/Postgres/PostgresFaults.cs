using System.Net.Sockets;
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
            PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow =>
                "the database server is shutting down or starting up",
            PostgresErrorCodes.DiskFull => "the database server's disk is full",
            var state when InClass(state, PostgresErrorCodes.InsufficientResources) => "the database server is out of resources",
            PostgresErrorCodes.ReadOnlySqlTransaction => "the database is read-only",
            PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure => "the write collided with another instance's; retry",
            PostgresErrorCodes.QueryCanceled => "the database did not answer in time",
            PostgresErrorCodes.LockNotAvailable => "the orders table is locked by another session",
            var state when InClass(state, PostgresErrorCodes.InvalidAuthorizationSpecification) => "the database refused the login",
            PostgresErrorCodes.InvalidCatalogName => "the database does not exist",
            _ => "the database refused the write",
        },
        NpgsqlException { InnerException: TimeoutException } => "the database did not answer in time",
        NpgsqlException => "the database server cannot be reached",
        TimeoutException => "the database did not answer in time",
        // Npgsql lets some socket failures of its connection's opening through unwrapped (a connection closed by the
        // other side between connect and the first read: "The operation is not allowed on non-connected sockets").
        // The writer and the readers do no other I/O, so these are the way to the server failing as well.
        IOException or SocketException => "the database server cannot be reached",
        _ => null,
    };

    /// <summary>
    /// <paramref name="exception"/> without the driver's message when it is a fault of the server (see
    /// <see cref="PostgresStoreException"/>); any other exception as it is.
    /// </summary>
    public static Exception Scrubbed(Exception exception) =>
        exception is not PostgresStoreException && Describe(exception) is { } cause ? new PostgresStoreException(exception, cause) : exception;

    // A SQLSTATE's class is its first two characters; a class's own code (such as 53000) names the class.
    private static bool InClass(string state, string classCode) =>
        state.Length == classCode.Length && state.AsSpan(0, 2).SequenceEqual(classCode.AsSpan(0, 2));
}
