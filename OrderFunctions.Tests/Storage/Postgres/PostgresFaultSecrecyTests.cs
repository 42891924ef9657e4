using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Postgres;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

namespace OrderFunctions.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL faults (wrong password, table locked, connection killed, server stopped) are answered 503 with a cause a
/// client may read, for writes, health and every kind of read (one order, a listing, stats, stats over time, the export), and neither the answer nor any log line at Warning or above carries the server's host, port, the
/// login, its password, the database or SQL, not even in the exception a log line carries (issue 24, item 4; SQLite's
/// counterpart is <c>StorageFaultTests</c>).
/// A cluster of its own, since it is stopped and its logins are changed.
/// </summary>
[RequiresPostgres]
public sealed partial class PostgresFaultSecrecyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _role = $"orders_login_{Guid.NewGuid():N}"[..24];
    private readonly string _password = $"pw_{Guid.NewGuid():N}";
    private readonly string _database = $"orders_db_{Guid.NewGuid():N}"[..22];
    private readonly WarningLines _logs = new();
    private PostgresTestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await PostgresTestServer.StartOwnAsync();
        await using (var admin = new NpgsqlConnection(_server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE ROLE {_role} LOGIN PASSWORD '{_password}'", admin);
            await create.ExecuteNonQueryAsync();
            create.CommandText = $"CREATE DATABASE {_database} OWNER {_role}";
            await create.ExecuteNonQueryAsync();
        }
        await _server.RequirePasswordAsync(_role);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string ConnectionString(string password) =>
        $"Host=127.0.0.1;Port={_server.Port};Username={_role};Password={password};Database={_database};Timeout=5;Command Timeout=2";

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Fault_answers_and_log_lines_carry_no_host_port_login_database_or_sql_when_postgres_fails()
    {
        var answers = new List<(string Fault, ApiResponse Answer)>();

        // Wrong password (once the server checks it: the reload that makes it do so is not instant).
        await WaitUntilRefusedAsync(ConnectionString("wrong-" + _password));
        await using (var refused = await StartAsync("wrong-" + _password))
        {
            answers.Add(("wrong password", await PostAsync(refused)));
            answers.Add(("wrong password, health", await GetHealthAsync(refused)));
            await AddReadsAsync(answers, "wrong password", refused);
        }

        await using var app = await StartAsync(_password);
        Assert.Equal(201, (await PostAsync(app)).Status);

        // Table locked by another session for longer than a command may wait.
        await using (var locker = new NpgsqlConnection(AdminOn(_database)))
        {
            await locker.OpenAsync();
            await using var transaction = await locker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE", locker, transaction))
            {
                await lockTable.ExecuteNonQueryAsync();
            }
            answers.Add(("table locked", await PostAsync(app)));
            await transaction.RollbackAsync();
        }
        await AcceptedAgainAsync(app);

        // The writer's connection killed by the server.
        await using (var admin = new NpgsqlConnection(_server.ConnectionString))
        {
            await admin.OpenAsync();
            await using var kill = new NpgsqlCommand($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '{_role}'",
                admin);
            Assert.True((long)(await kill.ExecuteScalarAsync())! >= 1);
        }
        answers.Add(("connection killed", await PostAsync(app)));
        await AcceptedAgainAsync(app);

        // The server stopped.
        await _server.StopServerAsync();
        answers.Add(("server stopped", await PostAsync(app)));
        answers.Add(("server stopped, health", await GetHealthAsync(app)));
        await AddReadsAsync(answers, "server stopped", app);
        await _server.StartServerAsync();

        // Assert
        var secrets = new Dictionary<string, Regex>
        {
            ["host"] = new(@"127\.0\.0\.1|localhost"),
            ["port"] = new($@"\b{_server.Port}\b"),
            ["login"] = new(Regex.Escape(_role)),
            ["password"] = new(Regex.Escape(_password)),
            ["database"] = new(Regex.Escape(_database)),
            ["SQL"] = SqlText(),
        };
        foreach (var (fault, answer) in answers) output.WriteLine($"{fault}: {answer.Status} {answer.Body}");
        var warnings = _logs.Lines.ToArray();
        foreach (var line in warnings) output.WriteLine(line);
        Assert.All(answers, a => Assert.Equal((a.Fault, 503), (a.Fault, a.Answer.Status)));
        Assert.All(answers, a => Assert.NotNull(a.Answer.Header("Retry-After")));
        Assert.NotEmpty(warnings); // the faults are logged
        var leaks = answers.Select(a => ($"answer to {a.Fault}", a.Answer.Body + string.Join(";", a.Answer.Headers)))
            .Concat(warnings.Select(w => ("log line", w)))
            .SelectMany(text => secrets.Where(s => s.Value.IsMatch(text.Item2)).Select(s => $"{text.Item1} carries the {s.Key}: {text.Item2}"))
            .ToArray();
        Assert.Empty(leaks);
    }

    // SQL as the store sends it (statement keywords in capitals, its functions and table) or as the server quotes it.
    [GeneratedRegex(@"\b(INSERT|SELECT|COPY|UPDATE|DELETE|LOCK TABLE|unnest|nextval|generate_series|STDIN)\b|orders \(")]
    private static partial Regex SqlText();

    private string AdminOn(string database) => new NpgsqlConnectionStringBuilder(_server.ConnectionString) { Database = database }.ToString();

    private Task<StandaloneApplication> StartAsync(string password) => StandaloneApplication.StartAsync(environment: new Dictionary<string, string>
    {
        ["OrderStorage__Provider"] = PostgresOrderStore.ProviderName,
        ["ConnectionStrings__Orders"] = ConnectionString(password),
    }, services: services => services.AddSingleton<ILoggerProvider>(_logs));

    /// <summary>
    /// Log lines at Warning and above as a sink writes them: the message, then the exception
    /// whole (its message, inner exceptions and stack), which is where a driver's text would be.
    /// </summary>
    private sealed class WarningLines : ILoggerProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _lines = new();

        public IEnumerable<string> Lines => _lines;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

        public void Dispose() { }

        private sealed class Logger(string category, System.Collections.Concurrent.ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
                Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel)) lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{Environment.NewLine}{exception}");
            }
        }
    }

    private static async Task<ApiResponse> PostAsync(StandaloneApplication app)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.PostAsync(app.OrdersUrl, new StringContent(TestOrders.Json(), Encoding.UTF8, "application/json"));
        return await ApiResponse.ReadAsync(response);
    }

    private static Task<ApiResponse> GetHealthAsync(StandaloneApplication app) => GetAsync(app, "/API/health");

    // Every kind of read: each engine's reads share one runner (PostgresReads), and each must scrub what it logs.
    private static async Task AddReadsAsync(List<(string Fault, ApiResponse Answer)> answers, string fault, StandaloneApplication app)
    {
        foreach (var path in ReadPaths) answers.Add(($"{fault}, GET {path}", await GetAsync(app, path)));
    }

    private static readonly string[] ReadPaths =
    [
        "/API/orders/1", "/API/orders?limit=5", "/API/orders/stats", "/API/orders/stats?interval=1h", "/API/orders/export?format=ndjson",
    ];

    private static async Task<ApiResponse> GetAsync(StandaloneApplication app, string path)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.GetAsync(new Uri(app.BaseAddress, path));
        return await ApiResponse.ReadAsync(response);
    }

    // After a fault the writer reconnects by itself; the next fault starts from a store that accepts orders.
    private static async Task AcceptedAgainAsync(StandaloneApplication app)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await PostAsync(app)).Status != 201)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The store did not accept orders again within 60 s");
            await Task.Delay(100);
        }
    }

    private static async Task WaitUntilRefusedAsync(string connectionString)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ToString());
                await connection.OpenAsync();
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
            {
                return;
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The server still accepts a wrong password after 30 s");
            await Task.Delay(50);
        }
    }
}
