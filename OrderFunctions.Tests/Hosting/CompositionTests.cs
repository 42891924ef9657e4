using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Storage.Sqlite;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Hosting;

/// <summary>The function resolved from Program.cs's registration, posting to a real SQLite file.</summary>
public sealed class CompositionTests : IDisposable
{
    private readonly TestStore _database = TestStore.Sqlite();

    public void Dispose() => _database.Dispose();

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddOrderServices_registers_sqlite_repository_from_connection_string()
    {
        await using var app = new StandaloneApplication(databasePath: _database.Path);
        var services = app.Services;

        Assert.IsType<OrderWriteQueue<SqlitePreparedWrite>>(services.GetRequiredService<IOrderRepository>());
        Assert.IsType<SqliteOrderWriter>(services.GetRequiredService<IOrderBatchWriter>());
        Assert.IsType<SqliteOrderQueries>(services.GetRequiredService<IOrderQueries>());
        Assert.IsType<MountInfoFileSystemProbe>(services.GetRequiredService<IFileSystemProbe>()); // the writer refuses NFS by it
        Assert.Equal(_database.ConnectionString,
            services.GetRequiredService<IOptions<SqliteOrderStoreOptions>>().Value.ConnectionString);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("Sqlite")]
    [InlineData("sqlite")]
    public async Task AddOrderServices_chooses_sqlite_when_provider_names_it(string provider)
    {
        await using var app = new StandaloneApplication(new Dictionary<string, string?> { ["OrderStorage:Provider"] = provider },
            databasePath: _database.Path);
        var services = app.Services; // started: the options were valid

        Assert.IsType<SqliteOrderWriter>(services.GetRequiredService<IOrderBatchWriter>());
        Assert.IsType<SqliteStoreProbe>(services.GetRequiredService<IOrderStoreProbe>());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddOrderServices_stops_the_start_naming_valid_providers_when_provider_is_unknown()
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = _database.ConnectionString,
            ["OrderStorage:Provider"] = "Oracle",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal(["OrderStorage:Provider must be 'Sqlite' (the default) or 'Postgres'"], error.Failures);
        Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOrderRepository>());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddOrderServices_chooses_postgres_when_provider_names_it()
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = "Host=db.example.com;Database=orders;Username=orders",
            ["OrderStorage:Provider"] = "Postgres",
        });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<OrderWriteQueue<OrderWrite>>(services.GetRequiredService<IOrderRepository>());
        Assert.IsType<PostgresOrderWriter>(services.GetRequiredService<IOrderBatchWriter>());
        Assert.IsType<PostgresOrderQueries>(services.GetRequiredService<IOrderQueries>());
        Assert.IsType<PostgresStoreProbe>(services.GetRequiredService<IOrderStoreProbe>());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task AddOrderServices_names_an_unresolved_key_vault_reference_and_what_to_check_when_the_setting_is_one(string provider)
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = "@Microsoft.KeyVault(SecretUri=https://kv-orders.vault.azure.net/secrets/orders-connection/)",
            ["OrderStorage:Provider"] = provider,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IEnumerable<IHostedService>>().ToList());

        Assert.Equal(OrderStorageServiceCollectionExtensions.UnresolvedKeyVaultReference, Assert.Single(error.Failures));
        Assert.Contains("Key Vault Secrets User", error.Message);
        Assert.DoesNotContain("must name a PostgreSQL server", error.Message);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(null, false)]
    [InlineData("Information", true)]
    public async Task AddOrderServices_keeps_npgsql_command_logging_off_unless_configured(string? configured, bool enabled)
    {
        // Arrange: the configuration's logging section, as both hosts read it.
        var settings = new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Information" };
        if (configured is not null) settings[$"Logging:LogLevel:{OrderServiceCollectionExtensions.NpgsqlCommandCategory}"] = configured;
        await using var app = new StandaloneApplication(settings, databasePath: _database.Path);

        // Act
        var logger = app.Services.GetRequiredService<ILoggerFactory>()
            .CreateLogger(OrderServiceCollectionExtensions.NpgsqlCommandCategory);

        // Assert
        Assert.Equal(enabled, logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("OrderStorage:QueueCapacity", "0", "OrderStorage:QueueCapacity must be positive")]
    [InlineData("OrderStorage:MaxOrdersPerTransaction", "0", "OrderStorage:MaxOrdersPerTransaction must be positive")]
    [InlineData("OrderStorage:MaxQueuedOrders", "0",
        "OrderStorage:MaxQueuedOrders must be positive (orders waiting to be written before new requests are answered 503)")]
    [InlineData("OrderStorage:MaxBufferedRequestBytes", "-1",
        "OrderStorage:MaxBufferedRequestBytes must be positive (bytes of request bodies held at once before new requests are answered 503)")]
    [InlineData("OrderStorage:MaxBufferedRequestBytes", "0",
        "OrderStorage:MaxBufferedRequestBytes must be positive (bytes of request bodies held at once before new requests are answered 503)")]
    [InlineData("OrderStorage:PrecedingOrderWait", "00:00:00",
        "OrderStorage:PrecedingOrderWait must be positive (a time span such as 00:00:02: how long a POST with If-Order-Stored waits for the order it names)")]
    [InlineData("OrderStorage:RetryAfterSeconds", "0", "OrderStorage:RetryAfterSeconds must be positive")]
    [InlineData("OrderStorage:BusyTimeoutSeconds", "-1", "OrderStorage:BusyTimeoutSeconds must not be negative")]
    [InlineData("OrderStorage:MaxConcurrentReads", "0", "OrderStorage:MaxConcurrentReads must be positive")]
    public async Task AddOrderServices_stops_the_start_naming_the_setting_when_a_storage_setting_is_out_of_range(
        string key, string value, string message)
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = _database.ConnectionString,
            [key] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Equal([message], error.Failures);
    }

    private const string PostgresConnectionStringMessage =
        "ConnectionStrings:Orders must name a PostgreSQL server, such as 'Host=db.example.com;Database=orders;Username=orders;Password=...', when OrderStorage:Provider is Postgres";

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("OrderStorage:BusyTimeoutSeconds", "-1", "OrderStorage:BusyTimeoutSeconds must not be negative")]
    [InlineData("OrderStorage:PostgresStatementTimeoutSeconds", "-1", "OrderStorage:PostgresStatementTimeoutSeconds must not be negative")]
    [InlineData("OrderStorage:PostgresKeyWaitMilliseconds", "0", "OrderStorage:PostgresKeyWaitMilliseconds must be positive")]
    public async Task AddOrderServices_refuses_a_postgres_setting_out_of_range_naming_it(string key, string value, string message)
    {
        await using var services = PostgresServices(key, value);

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PostgresOrderStoreOptions>>().Value);

        Assert.Equal([message], error.Failures);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("OrderStorage:BusyTimeoutSeconds", "0")]
    [InlineData("OrderStorage:PostgresStatementTimeoutSeconds", "0")]
    [InlineData("OrderStorage:PostgresKeyWaitMilliseconds", "1")]
    public async Task AddOrderServices_takes_a_postgres_setting_at_its_smallest_valid_value(string key, string value)
    {
        await using var services = PostgresServices(key, value);

        var options = services.GetRequiredService<IOptions<PostgresOrderStoreOptions>>().Value;

        Assert.Equal(int.Parse(value, System.Globalization.CultureInfo.InvariantCulture), key switch
        {
            "OrderStorage:BusyTimeoutSeconds" => options.BusyTimeoutSeconds,
            "OrderStorage:PostgresStatementTimeoutSeconds" => options.StatementTimeoutSeconds,
            _ => options.KeyWaitMilliseconds,
        });
    }

    private static ServiceProvider PostgresServices(string key, string value) =>
        StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = "Host=db.example.com;Database=orders",
            ["OrderStorage:Provider"] = "Postgres",
            [key] = value,
        });

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("OrderStorage:QueueCapacity", "1")]
    [InlineData("OrderStorage:MaxOrdersPerTransaction", "1")]
    [InlineData("OrderStorage:RetryAfterSeconds", "1")]
    [InlineData("OrderStorage:BusyTimeoutSeconds", "0")]
    [InlineData("OrderStorage:MaxConcurrentReads", "1")]
    public async Task AddOrderServices_starts_when_a_storage_setting_is_at_its_smallest_valid_value(string key, string value)
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = _database.ConnectionString,
            [key] = value,
        });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.NotNull(services.GetRequiredService<IOrderRepository>());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("Postgres", "Data Source=orders.db", PostgresConnectionStringMessage)]
    [InlineData("Postgres", "Host=;Port=x", PostgresConnectionStringMessage)]
    [InlineData("Postgres", "Host=;Database=orders", PostgresConnectionStringMessage)] // parses, but names no server
    [InlineData("Sqlite", "Host=db.example.com;Database=orders", "must be a SQLite connection string")]
    [InlineData("Sqlite", "Data Source=", "must be a SQLite connection string")] // SQLite would open a private temporary file
    public async Task AddOrderServices_stops_the_start_when_the_connection_string_does_not_fit_the_provider(
        string provider, string connectionString, string message)
    {
        await using var services = StandaloneApplication.ComposeServices(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Orders"] = connectionString,
            ["OrderStorage:Provider"] = provider,
        });

        services.GetRequiredService<IStartupValidator>().Validate(); // each setting is valid alone

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IEnumerable<IHostedService>>().ToList());

        Assert.Contains(message, error.Message);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrder_writes_row_to_file_when_resolved_from_registration()
    {
        // Arrange
        await using var app = new StandaloneApplication(databasePath: _database.Path);

        // Act
        var response = await app.PostAsync(TestOrders.ValidJson);

        // Assert
        Assert.Equal(201, response.Status);
        var id = response.Json.GetProperty("id").GetInt64();
        using var connection = _database.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT timestamp, username, market, side, size, price FROM Orders WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        using var row = command.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal(("2026-11-27T10:15:30.1230000Z", "alice", "BTC-USD", "buy", 10_000_000L, 4_300_012_345_678L),
            (row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3), row.GetInt64(4), row.GetInt64(5)));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CreateOrder_writes_nothing_when_input_is_bad()
    {
        await using var app = new StandaloneApplication(databasePath: _database.Path);
        Assert.Equal(201, (await app.PostAsync(TestOrders.ValidJson)).Status);

        var response = await app.PostAsync(TestOrders.ValidJson.Replace("0.1", "-0.1"));

        Assert.Equal(400, response.Status);
        Assert.Equal(1, _database.CountRows());
    }
}
