using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Storage.Sqlite;
using SQLitePCL;

namespace OrderFunctions.Benchmarks;

/// <summary>
/// The SQLite write path alone, without HTTP: the store fed pre-built requests of 1,000 validated orders, one after
/// another (each one transaction, WAL, synchronous=FULL, the real schema and indexes), next to raw SQLite doing the
/// same inserts with one prepared statement bound and stepped per row in one transaction per 1,000, on values
/// computed beforehand. Reported per order. The database is in <see cref="Directory"/>: on a disk, each commit pays
/// its fsync; on tmpfs (/dev/shm), fsync returns at once and the figure is CPU only.
/// </summary>
[MemoryDiagnoser]
public class SqliteWriterBenchmarks
{
    private const int OrdersPerRequest = 1_000;
    private const int RequestsPerInvoke = 20;
    private const string WriterThread = "order-writer";
    private const int Markets = 50;
    private const int Users = 1_000;

    private static readonly string[] MarketNames = Enumerable.Range(0, Markets).Select(i => $"MKT{i}-USD").ToArray();
    private static readonly string[] UserNames = Enumerable.Range(0, Users).Select(i => $"user{i}").ToArray();

    private string _path = "";
    private string _label = "";
    private OrderWriteQueue? _store;
    private SqliteConnection? _raw;
    private sqlite3_stmt? _rawInsert;
    private sqlite3_stmt? _rawMultiInsert;
    private long _sequence;
    private DateTime _start;
    private readonly List<Order>[] _requests = new List<Order>[RequestsPerInvoke];
    private readonly List<long> _processCpu = [];
    private long _processCpuStart;
    private long _writerCpuStart;
    private long _writerCpu;
    private readonly RawRow[] _rawRows = new RawRow[RequestsPerInvoke * OrdersPerRequest];

    /// <summary>Where the database file lives: /tmp is on the machine's disk, /dev/shm is tmpfs.</summary>
    [Params("/tmp", "/dev/shm")]
    public string Directory { get; set; } = "/tmp";

    [GlobalSetup(Target = nameof(Store))]
    public void SetupStore()
    {
        _label = "store";
        _path = NewPath();
        _start = DateTime.UtcNow;
        var engine = new SqliteOrderWriter(Options.Create(new SqliteOrderStoreOptions { ConnectionString = $"Data Source={_path}" }));
        _store = new OrderWriteQueue<SqlitePreparedWrite>(engine, Options.Create(new OrderStorageOptions()), NullLogger<OrderWriteQueue>.Instance);
        _store.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalSetup(Target = nameof(RawSqliteMultiRow))]
    public void SetupRawMultiRow()
    {
        SetupRaw();
        _label = "raw SQLite, multi-row";
    }

    [GlobalSetup(Target = nameof(RawSqlite))]
    public void SetupRaw()
    {
        _label = "raw SQLite";
        _path = NewPath();
        _start = DateTime.UtcNow;
        _raw = new SqliteConnection($"Data Source={_path};Pooling=False");
        _raw.Open();
        SqliteOrderSchema.EnsureCreated(_raw);
        Execute("PRAGMA synchronous = FULL");
        Check(raw.sqlite3_prepare_v2(_raw.Handle, """
            INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            """, out _rawInsert));
        var multi = new StringBuilder("INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id) VALUES ");
        for (var i = 0; i < OrdersPerRequest; i++) multi.Append(i == 0 ? "" : ",").Append("(?,?,?,?,?,?,NULL)");
        Check(raw.sqlite3_prepare_v2(_raw.Handle, multi.ToString(), out _rawMultiInsert));
    }

    // Orders are built before each iteration, outside the measurement, with timestamps that keep growing (as the
    // benchmarks' wrk scripts send them): an insert into the (market, timestamp) index appends, as in production.
    [IterationSetup(Target = nameof(Store))]
    public void BuildRequests()
    {
        for (var r = 0; r < RequestsPerInvoke; r++)
        {
            var orders = new List<Order>(OrdersPerRequest);
            for (var i = 0; i < OrdersPerRequest; i++) orders.Add(NextOrder());
            _requests[r] = orders;
        }
        StartCpu();
    }

    [IterationSetup(Targets = [nameof(RawSqlite), nameof(RawSqliteMultiRow)])]
    public void BuildRawRows()
    {
        for (var i = 0; i < _rawRows.Length; i++)
        {
            var order = NextOrder();
            _rawRows[i] = new RawRow(
                Encoding.UTF8.GetBytes(SqliteOrderSchema.FormatTimestamp(order.Timestamp)), order.Username, order.Market,
                order.Side, OrderDecimal.ToUnits(order.Size), OrderDecimal.ToUnits(order.Price));
        }
        StartCpu();
    }

    [IterationCleanup]
    public void StopCpu()
    {
        _processCpu.Add(CpuClock.ProcessNanoseconds() - _processCpuStart);
        _writerCpu += CpuClock.ThreadNanoseconds(WriterThread) - _writerCpuStart;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = RequestsPerInvoke * OrdersPerRequest,
        Description = "raw SQLite: bind+step per row, 1,000 per transaction")]
    public void RawSqlite()
    {
        for (var r = 0; r < RequestsPerInvoke; r++)
        {
            Execute("BEGIN");
            for (var i = r * OrdersPerRequest; i < (r + 1) * OrdersPerRequest; i++)
            {
                ref readonly var row = ref _rawRows[i];
                raw.sqlite3_bind_text(_rawInsert, 1, row.Timestamp);
                raw.sqlite3_bind_text(_rawInsert, 2, row.Username);
                raw.sqlite3_bind_text(_rawInsert, 3, row.Market);
                raw.sqlite3_bind_text(_rawInsert, 4, row.Side);
                raw.sqlite3_bind_int64(_rawInsert, 5, row.Size);
                raw.sqlite3_bind_int64(_rawInsert, 6, row.Price);
                raw.sqlite3_bind_null(_rawInsert, 7);
                if (raw.sqlite3_step(_rawInsert) != raw.SQLITE_DONE) Check(raw.sqlite3_errcode(_raw!.Handle));
                raw.sqlite3_reset(_rawInsert);
            }
            Execute("COMMIT");
        }
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke * OrdersPerRequest,
        Description = "raw SQLite: one 1,000-row INSERT ... VALUES per transaction")]
    public void RawSqliteMultiRow()
    {
        for (var r = 0; r < RequestsPerInvoke; r++)
        {
            Execute("BEGIN");
            var p = 1;
            for (var i = r * OrdersPerRequest; i < (r + 1) * OrdersPerRequest; i++)
            {
                ref readonly var row = ref _rawRows[i];
                raw.sqlite3_bind_text(_rawMultiInsert, p++, row.Timestamp);
                raw.sqlite3_bind_text(_rawMultiInsert, p++, row.Username);
                raw.sqlite3_bind_text(_rawMultiInsert, p++, row.Market);
                raw.sqlite3_bind_text(_rawMultiInsert, p++, row.Side);
                raw.sqlite3_bind_int64(_rawMultiInsert, p++, row.Size);
                raw.sqlite3_bind_int64(_rawMultiInsert, p++, row.Price);
            }
            if (raw.sqlite3_step(_rawMultiInsert) != raw.SQLITE_DONE) Check(raw.sqlite3_errcode(_raw!.Handle));
            raw.sqlite3_reset(_rawMultiInsert);
            Execute("COMMIT");
        }
    }

    [Benchmark(OperationsPerInvoke = RequestsPerInvoke * OrdersPerRequest,
        Description = "store: OrderWriteQueue + SqliteOrderWriter, requests of 1,000")]
    public async Task<long> Store()
    {
        long last = 0;
        for (var r = 0; r < RequestsPerInvoke; r++)
        {
            var results = await _store!.AddManyAsync(_requests[r]);
            last = results[^1].Order.Id;
        }
        return last;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        ReportCpu();
        _store?.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _store?.Dispose();
        if (_rawInsert is not null) raw.sqlite3_finalize(_rawInsert);
        if (_rawMultiInsert is not null) raw.sqlite3_finalize(_rawMultiInsert);
        _raw?.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(_path + suffix);
    }

    private void StartCpu()
    {
        _writerCpuStart = CpuClock.ThreadNanoseconds(WriterThread);
        _processCpuStart = CpuClock.ProcessNanoseconds();
    }

    // BenchmarkDotNet times the wall clock, which other processes on a shared machine stretch; CPU time much less.
    // Printed into the run's log, where micro.sh picks the lines up: the median over the iterations of the process's
    // CPU per order, and (for the store) the writer thread's share over all iterations.
    private void ReportCpu()
    {
        if (_processCpu.Count == 0) return;
        var orders = (double)RequestsPerInvoke * OrdersPerRequest;
        var sorted = _processCpu.Order().ToArray();
        var median = sorted[sorted.Length / 2] / orders / 1000;
        var writer = _store is null ? "" : $", writer thread {_writerCpu / (orders * _processCpu.Count) / 1000:F2} us/order";
        Console.WriteLine($"CPU {_label} {Directory}: process {median:F2} us/order " +
            $"(median of {sorted.Length} iterations){writer}");
    }

    private Order NextOrder()
    {
        var n = _sequence++;
        return new Order(
            _start.AddTicks(n * 10), UserNames[n * 7 % Users], MarketNames[n * 13 % Markets], n % 3 == 0 ? "sell" : "buy",
            (n % 9 + 1) / 10m, 43_000m + n * 7919 % 100_000_000 / 100_000_000m);
    }

    private string NewPath() => Path.Combine(Directory, $"orders-writer-bench-{Guid.NewGuid():N}.db");

    private void Execute(string sql)
    {
        using var command = _raw!.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _raw!.Handle);
    }

    private readonly record struct RawRow(byte[] Timestamp, string Username, string Market, string Side, long Size, long Price);
}
