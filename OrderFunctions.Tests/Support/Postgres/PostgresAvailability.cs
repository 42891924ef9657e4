namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>
/// Whether tests can reach a PostgreSQL server: the one in <c>ORDERS_TEST_POSTGRES</c> (a connection string), or a
/// throwaway cluster started from the local binaries (<c>initdb</c>, <c>pg_ctl</c>). Without either the PostgreSQL
/// tests report skipped with the install command; in CI (<c>CI=true</c>) they run and fail instead.
/// </summary>
public static class PostgresAvailability
{
    public const string InstallCommand = "sudo apt-get install postgresql";

    public static string? ConnectionStringFromEnvironment =>
        Environment.GetEnvironmentVariable("ORDERS_TEST_POSTGRES") is { Length: > 0 } value ? value : null;

    /// <summary>The folder holding initdb, pg_ctl and postgres, or null.</summary>
    public static string? BinDirectory { get; } = FindBinDirectory();

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        ConnectionStringFromEnvironment is not null || BinDirectory is not null || IsCi
            ? null
            : $"PostgreSQL is not installed: {InstallCommand} (Debian/Ubuntu), or set ORDERS_TEST_POSTGRES to a connection string";

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static string? FindBinDirectory()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"))) return dir;
        }
        // Debian installs the server outside PATH: /usr/lib/postgresql/<version>/bin.
        const string debian = "/usr/lib/postgresql";
        if (!Directory.Exists(debian)) return null;
        return Directory.GetDirectories(debian)
            .Select(version => Path.Combine(version, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0)
            .FirstOrDefault();
    }
}
