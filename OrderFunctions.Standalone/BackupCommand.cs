using Microsoft.Data.Sqlite;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Storage.Sqlite;

namespace OrderFunctions.Standalone;

/// <summary>
/// <c>OrderFunctions.Standalone backup &lt;file&gt;</c>: an online backup of the SQLite store named by the host's own
/// configuration (appsettings.json, environment, <c>--ConnectionStrings:Orders=...</c>), taken while a running host
/// keeps writing. Prints what it wrote; exit 0 when the copy passed integrity_check, 1 otherwise.
/// </summary>
public static class BackupCommand
{
    public const string Name = "backup";

    public static int Run(string? destination, IConfiguration configuration, TextWriter output, TextWriter error)
    {
        if (string.IsNullOrWhiteSpace(destination))
        {
            error.WriteLine("Usage: OrderFunctions.Standalone backup <file> [--ConnectionStrings:Orders=\"Data Source=orders.db\"]");
            return 1;
        }
        var provider = configuration[$"{OrderStorageOptions.SectionName}:Provider"];
        if (string.Equals(provider, PostgresOrderStore.ProviderName, StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine("The store is PostgreSQL: back it up with the server's tools (pg_dump, or the managed server's backups).");
            return 1;
        }
        var connectionString = configuration.GetConnectionString("Orders") is { Length: > 0 } configured
            ? configured
            : SqliteOrderStoreOptions.DefaultConnectionString;
        try
        {
            var result = SqliteBackup.Run(connectionString, destination);
            output.WriteLine($"Backed up {result.Orders} orders from {new SqliteConnectionStringBuilder(connectionString).DataSource} to " +
                $"{result.Path} (integrity_check: {result.IntegrityCheck}).");
            return 0;
        }
        catch (Exception ex) when (ex is SqliteException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            error.WriteLine($"Backup failed: {ex.Message}");
            return 1;
        }
    }
}
