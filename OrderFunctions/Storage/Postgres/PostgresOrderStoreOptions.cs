using Microsoft.Extensions.Configuration;

namespace OrderFunctions.Storage.Postgres;

/// <summary>
/// The PostgreSQL engine's settings, bound from the same <c>OrderStorage</c> section as the queue's (the keys keep
/// their names), with the connection string from <c>ConnectionStrings:Orders</c>.
/// </summary>
public sealed class PostgresOrderStoreOptions
{
    public const string SectionName = OrderStorageOptions.SectionName;

    /// <summary>Filled from <c>ConnectionStrings:Orders</c>; must name a server.</summary>
    // Stryker disable once String : equivalent, without ConnectionStrings:Orders any text that names no server is refused the same way
    public string ConnectionString { get; set; } = "";

    /// <summary>How a commit's orders without a client order id are inserted (binary COPY or unnest); key <c>PostgresBulkInsert</c>.</summary>
    [ConfigurationKeyName("PostgresBulkInsert")]
    public PostgresBulkInsert BulkInsert { get; set; }

    /// <summary>Adds an index on username (see the SQLite engine's setting of the same name; docs/read-api.md).</summary>
    public bool IndexUsername { get; set; }

    /// <summary>
    /// How long a write waits for a lock (the writer's <c>lock_timeout</c>) before the requests in it are answered 503
    /// with Retry-After; also the time the writer takes, after a commit's answer was lost, to find out whether it landed.
    /// The same key as the SQLite engine's busy timeout. 0: no limit on lock waits.
    /// </summary>
    public int BusyTimeoutSeconds { get; set; } = 5;

    /// <summary>The writer's <c>statement_timeout</c>: no statement of a write runs longer; key <c>PostgresStatementTimeoutSeconds</c>.</summary>
    [ConfigurationKeyName("PostgresStatementTimeoutSeconds")]
    public int StatementTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// How long a commit waits for a client order id that another session is inserting and has not committed; key
    /// <c>PostgresKeyWaitMilliseconds</c>. Past it, that request alone is set aside (503, retry: the resend finds the
    /// order once the other session commits) and the rest of the commit goes on, so one held key holds up no one else.
    /// </summary>
    [ConfigurationKeyName("PostgresKeyWaitMilliseconds")]
    public int KeyWaitMilliseconds { get; set; } = 250;
}
