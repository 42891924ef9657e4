using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage.Sqlite;

/// <summary>The settings the app's SQLite writer commits with, read through the writer's own connection.</summary>
public sealed class SqliteOrderWriterTests
{
    // PRAGMA synchronous answers 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA. It is a setting of each connection, not of the
    // file, so only the writer's connection can show what the commits behind a 201 run with.
    private const long Full = 2;

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Writer_commits_with_synchronous_full_in_wal_mode_when_the_app_stores_an_order()
    {
        // Arrange: the app as it is wired (AddOrderServices), storing an order through the function.
        await using var api = new StandaloneApplication();
        Assert.Equal(201, (await api.PostAsync(ApiTestOrders.Json())).Status);

        // Act: the writer is idle once the 201 is out, so its connection may be asked.
        var writer = Assert.IsType<SqliteOrderWriter>(api.Services.GetRequiredService<IOrderBatchWriter>());
        var connection = writer.Connection;

        // Assert
        Assert.NotNull(connection);
        Assert.Equal(Full, Pragma<long>(connection, "synchronous"));
        Assert.Equal("wal", Pragma<string>(connection, "journal_mode"));
    }

    private static T Pragma<T>(SqliteConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {name}";
        return (T)command.ExecuteScalar()!;
    }
}
