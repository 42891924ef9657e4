namespace OrderFunctions.Storage;

/// <summary>Which store holds the orders and how it is tuned, bound from the <c>OrderStorage</c> section.</summary>
public sealed class OrderStorageOptions
{
    public const string SectionName = "OrderStorage";

    /// <summary>Used when <c>ConnectionStrings:Orders</c> is not set; a relative path resolves against the working directory.</summary>
    public const string DefaultConnectionString = "Data Source=orders.db";

    /// <summary>The engine: <c>Sqlite</c> (the default: one process, local disk) or <c>Postgres</c> (several instances).</summary>
    public string Provider { get; set; } = OrderStoreProvider.Sqlite;

    /// <summary>Filled from <c>ConnectionStrings:Orders</c>, for either engine.</summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

    /// <summary>Requests waiting for the writer before new ones are answered 503.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>Most orders one transaction takes; a single request larger than this still commits whole.</summary>
    public int MaxOrdersPerTransaction { get; set; } = 20_000;

    /// <summary>How long a write waits for a lock held by another process before it gives up with 503.</summary>
    public int BusyTimeoutSeconds { get; set; } = 5;

    /// <summary>
    /// Largest the file may grow, in pages (4 KiB each); 0 leaves SQLite's own limit. A write past it is refused as a
    /// full disk would be (503), so the cap also shows how the service behaves when the disk fills.
    /// </summary>
    public long MaxPageCount { get; set; }

    /// <summary>
    /// SQLite reads (look-ups, listings, statistics) that may run at once; more wait, asynchronously. SQLite reads block
    /// a thread-pool thread each, so the default, half the processors (at least one), leaves the pool's first threads
    /// to ingestion whatever the readers do (docs/reliability.md, "Reads versus writes").
    /// </summary>
    public int MaxConcurrentReads { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>The Retry-After given with a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// Adds an index on username, for deployments that list or total by user often: at 1,000,000 orders a username
    /// page drops from about 10 ms to 2 ms, and batch ingest falls to about a third (docs/read-api.md).
    /// </summary>
    public bool IndexUsername { get; set; }

    /// <summary>PostgreSQL only: how a commit's orders without a client order id are inserted (binary COPY or unnest).</summary>
    public Postgres.PostgresBulkInsert PostgresBulkInsert { get; set; }
}
