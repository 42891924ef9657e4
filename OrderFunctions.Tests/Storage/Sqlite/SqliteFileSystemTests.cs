using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
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
    [InlineData("nfs4")]
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
