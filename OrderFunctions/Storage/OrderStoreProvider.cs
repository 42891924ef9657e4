namespace OrderFunctions.Storage;

/// <summary>The names <c>OrderStorage:Provider</c> accepts (case-insensitive).</summary>
public static class OrderStoreProvider
{
    public const string Sqlite = "Sqlite";
    public const string Postgres = "Postgres";

    /// <summary>The valid names, for messages.</summary>
    public const string ValidNames = $"'{Sqlite}' (the default) or '{Postgres}'";

    public static bool IsSqlite(string? name) => string.Equals(name, Sqlite, StringComparison.OrdinalIgnoreCase);

    public static bool IsPostgres(string? name) => string.Equals(name, Postgres, StringComparison.OrdinalIgnoreCase);

    public static bool IsValid(string? name) => IsSqlite(name) || IsPostgres(name);

    /// <summary>True when <paramref name="connectionString"/> parses for Microsoft.Data.Sqlite and names a file.</summary>
    public static bool IsSqliteConnectionString(string connectionString)
    {
        try
        {
            return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="connectionString"/> parses for Npgsql and names a host.</summary>
    public static bool IsPostgresConnectionString(string connectionString)
    {
        try
        {
            return new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Host is { Length: > 0 };
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
