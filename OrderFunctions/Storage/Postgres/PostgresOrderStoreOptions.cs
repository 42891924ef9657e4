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
    public string ConnectionString { get; set; } = "";

    /// <summary>How a commit's orders without a client order id are inserted (binary COPY or unnest); key <c>PostgresBulkInsert</c>.</summary>
    [ConfigurationKeyName("PostgresBulkInsert")]
    public PostgresBulkInsert BulkInsert { get; set; }

    /// <summary>Adds an index on username (see the SQLite engine's setting of the same name; docs/read-api.md).</summary>
    public bool IndexUsername { get; set; }
}
