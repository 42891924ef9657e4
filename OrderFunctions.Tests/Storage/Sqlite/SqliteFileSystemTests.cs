using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>SQLite refuses, at start, a file on a network filesystem (probed through an injected <see cref="IFileSystemProbe"/>).</summary>
public sealed class SqliteFileSystemTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();

    public void Dispose() => _database.Dispose();

    private sealed class FixedProbe(string? type) : IFileSystemProbe
    {
        public string? FileSystemType(string path) => type;
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("cifs")]
    [InlineData("smb3")]
    [InlineData("smbfs")]
    [InlineData("nfs")]
    [InlineData("nfs4")]
    [InlineData("afs")]
    [InlineData("9p")]
    [InlineData("fuse.sshfs")]
    [InlineData("NFS4")] // the type compared without case
    public async Task StartAsync_refuses_a_file_on_a_network_filesystem_naming_the_postgres_provider(string type)
    {
        await using var services = Services(type);
        var repository = services.GetRequiredService<OrderWriteQueue>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => repository.StartAsync(default));

        Assert.Contains($"network filesystem ({type})", error.Message);
        Assert.Contains("OrderStorage:Provider=Postgres", error.Message);
        Assert.False(File.Exists(_database.Path));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("ext4")]
    [InlineData(null)]
    public async Task StartAsync_opens_a_file_on_a_local_or_unknown_filesystem(string? type)
    {
        await using var services = Services(type);
        var repository = services.GetRequiredService<OrderWriteQueue>();

        await repository.StartAsync(default);
        var saved = await repository.AddAsync(TestOrders.Order());
        await repository.StopAsync(default);

        Assert.Equal(SaveOutcome.Created, saved.Outcome);
        Assert.Equal("wal", _database.Scalar<string>("PRAGMA journal_mode"));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=orders-in-memory;Mode=Memory;Cache=Shared")]
    public async Task StartAsync_opens_an_in_memory_database_without_asking_the_filesystem(string connectionString)
    {
        // The probe would call any file a network one: an in-memory database has no file to ask about.
        await using var services = StandaloneApplication.ComposeServices(
            new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = connectionString },
            (services, _) => services.Replace(ServiceDescriptor.Singleton<IFileSystemProbe>(new FixedProbe("nfs4"))));
        var repository = services.GetRequiredService<OrderWriteQueue>();

        await repository.StartAsync(default);
        var saved = await repository.AddAsync(TestOrders.Order());
        await repository.StopAsync(default);

        Assert.Equal(SaveOutcome.Created, saved.Outcome);
    }

    [Fact]
    public void Open_uses_a_temporary_database_without_asking_the_filesystem_when_the_data_source_is_empty()
    {
        // The app's options refuse an empty Data Source before the writer sees it; the writer itself still opens
        // SQLite's private temporary database, whose empty name no filesystem probe could resolve.
        using var writer = new SqliteOrderWriter(Options.Create(new SqliteOrderStoreOptions { ConnectionString = "Data Source=" }),
            new FixedProbe("nfs4"));

        writer.Open();

        Assert.NotNull(writer.Connection);
    }

    [Fact]
    public void MountInfoFileSystemProbe_names_the_filesystem_of_the_temp_folder()
    {
        Assert.False(string.IsNullOrEmpty(new MountInfoFileSystemProbe().FileSystemType(_database.Path)));
    }

    // The registration Program.cs uses, with the filesystem probe replaced.
    private ServiceProvider Services(string? type) => StandaloneApplication.ComposeServices(
        new Dictionary<string, string?> { ["ConnectionStrings:Orders"] = _database.ConnectionString },
        (services, _) => services.Replace(ServiceDescriptor.Singleton<IFileSystemProbe>(new FixedProbe(type))));
}
