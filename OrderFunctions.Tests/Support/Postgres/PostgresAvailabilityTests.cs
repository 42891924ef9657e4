namespace OrderFunctions.Tests.Support.Postgres;

/// <summary>PostgreSQL missing, however it is missing, makes the engine tests skip (outside CI), never fail.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PostgresAvailabilityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orders-pgbin-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void FindBinDirectory_returns_null_when_the_binaries_on_path_are_dangling_links()
    {
        // Arrange: what an uninstalled server leaves on PATH (links into a folder that is gone).
        foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
        {
            File.CreateSymbolicLink(Path.Combine(_directory, name), $"/usr/lib/postgresql/0-removed-{Guid.NewGuid():N}/bin/{name}");
        }

        // Act
        var found = PostgresAvailability.FindBinDirectory(_directory, Path.Combine(_directory, "no-debian"));

        // Assert
        Assert.Null(found);
    }

    [Fact]
    public void FindBinDirectory_returns_null_when_the_binaries_on_path_do_not_run()
    {
        // Arrange: files that exist and are executable but fail (their libraries gone, another architecture).
        foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
        {
            var file = Path.Combine(_directory, name);
            File.WriteAllText(file, "#!/bin/sh\nexit 127\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Act
        var found = PostgresAvailability.FindBinDirectory(_directory, Path.Combine(_directory, "no-debian"));

        // Assert
        Assert.Null(found);
    }

    [Fact]
    public void FindBinDirectory_returns_the_folder_when_the_binaries_run()
    {
        // Arrange
        foreach (var name in new[] { "initdb", "pg_ctl", "postgres" })
        {
            var file = Path.Combine(_directory, name);
            File.WriteAllText(file, "#!/bin/sh\necho \"$0 (PostgreSQL) 17.0\"\n");
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Act
        var found = PostgresAvailability.FindBinDirectory(_directory, Path.Combine(_directory, "no-debian"));

        // Assert
        Assert.Equal(_directory, found);
    }
}
