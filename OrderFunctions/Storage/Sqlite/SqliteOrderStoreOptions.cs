namespace OrderFunctions.Storage.Sqlite;

/// <summary>
/// The SQLite engine's settings, bound from the same <c>OrderStorage</c> section as the queue's (the keys keep their
/// names), with the connection string from <c>ConnectionStrings:Orders</c>.
/// </summary>
public sealed class SqliteOrderStoreOptions
{
    public const string SectionName = OrderStorageOptions.SectionName;

    /// <summary>Used when <c>ConnectionStrings:Orders</c> is not set; a relative path resolves against the working directory.</summary>
    public const string DefaultConnectionString = "Data Source=orders.db";

    /// <summary>Filled from <c>ConnectionStrings:Orders</c>.</summary>
    public string ConnectionString { get; set; } = DefaultConnectionString;

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

    /// <summary>
    /// Adds an index on username, for deployments that list or total by user often: at 1,000,000 orders a username
    /// page drops from about 10 ms to 2 ms, and batch ingest falls to about a third (docs/read-api.md).
    /// </summary>
    public bool IndexUsername { get; set; }
}
