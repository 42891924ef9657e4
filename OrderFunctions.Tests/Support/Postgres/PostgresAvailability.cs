using OrderFunctions.Tests.Support;

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
    public static string? BinDirectory { get; } = FindBinDirectory(Environment.GetEnvironmentVariable("PATH") ?? "", "/usr/lib/postgresql");

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run.</summary>
    public static string? SkipReason =>
        ConnectionStringFromEnvironment is not null || BinDirectory is not null || IsCi
            ? null
            : $"PostgreSQL is not installed: {InstallCommand} (Debian/Ubuntu), or set ORDERS_TEST_POSTGRES to a connection string";

    private static bool IsCi => TestEnvironment.IsCi;

    // Every candidate must run, not merely exist: a link left on PATH by an uninstalled server (File.Exists is true
    // for a dangling link), or binaries whose libraries are gone, would make the tests fail instead of skip.
    internal static string? FindBinDirectory(string path, string debian)
    {
        var candidates = path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        // Debian installs the server outside PATH: /usr/lib/postgresql/<version>/bin, the newest first.
        if (Directory.Exists(debian))
        {
            candidates.AddRange(Directory.GetDirectories(debian)
                .Select(version => Path.Combine(version, "bin"))
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var v) ? v : 0));
        }
        return candidates.FirstOrDefault(dir =>
            Runs(Path.Combine(dir, "initdb")) && Runs(Path.Combine(dir, "pg_ctl")) && Runs(Path.Combine(dir, "postgres")));
    }

    /// <summary>Whether <paramref name="file"/> exists and answers <c>--version</c> with exit code 0.</summary>
    internal static bool Runs(string file)
    {
        if (!File.Exists(file)) return false;
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(file, ["--version"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            })!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(TimeSpan.FromSeconds(30)) && process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // a dangling link, or not executable
        }
    }
}
