using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;

namespace OrderFunctions.Tests.ReadSide;

/// <summary>
/// <c>GET /API/orders/export</c>, written once and run on every engine by its subclass. The CSV is read back by a
/// parser we did not write (Python's <c>csv</c> module, decimals through its <c>decimal</c> module).
/// </summary>
public abstract class ExportOrdersTests(StoreEngine engine) : IAsyncLifetime
{
    private static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
    private StandaloneApplication _store = null!;

    public async Task InitializeAsync() => _store = await StandaloneApplication.OnEmptyStoreAsync(engine);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    // Values at the edges of what an order may hold, and names RFC 4180 must quote.
    private async Task<StoredOrder[]> AddSampleAsync()
    {
        var random = new Random(4180);
        var orders = new List<Order>
        {
            new(Start, "o'brien, \"the trader\"", "BTC-USD", "buy", 0.1m, 43000.12345678m, "c-1"),
            new(Start.AddTicks(1), "Zoë\u00A0Ünïcode 東京", "ETH-USD", "sell", 0.00000001m, 9_999_999_999.99999999m),
            new(DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc), "line\u2028sep", "SOL-USD", "buy", 9_999_999_999.99999999m, 0.00000001m,
                "c,2"),
            new(Start.AddDays(1).AddTicks(-1), " leading and trailing ", "BTC-USD", "sell", 12345.6789m, 1m),
        };
        for (var i = 0; i < 200; i++)
        {
            orders.Add(new Order(
                Start.AddTicks(random.NextInt64(TimeSpan.FromDays(2).Ticks)),
                $"user{random.Next(5)}",
                random.Next(2) == 0 ? "BTC-USD" : "ETH-USD",
                random.Next(2) == 0 ? "buy" : "sell",
                random.NextInt64(1, 1_000_000_000_000_000_000) / 100_000_000m,
                random.NextInt64(1, 1_000_000_000_000_000_000) / 100_000_000m,
                random.Next(3) == 0 ? null : $"id-{i}"));
        }
        return await _store.AddAsync([.. orders]);
    }

    private const string ReadBack = """
        import csv, json, sys
        from decimal import Decimal
        with open(sys.argv[1], newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f, strict=True))
        assert all(len(r) == 8 for r in rows), [r for r in rows if len(r) != 8]
        print(json.dumps({"header": rows[0], "rows": [r[:5] + [format(Decimal(r[5]), 'f'), format(Decimal(r[6]), 'f'), r[7]] for r in rows[1:]]}))
        """;

    [PythonStoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_writes_csv_that_pythons_csv_module_reads_back_with_every_row_and_digit()
    {
        var stored = await AddSampleAsync();
        var response = await _store.ExportAsync("format=csv");
        var file = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, response.Body);
        try
        {
            var parsed = JsonDocument.Parse(await ThirdPartyTools.RunPythonAsync(ReadBack, file)).RootElement;

            Assert.Equal(ExportFormat.CsvColumns, parsed.GetProperty("header").EnumerateArray().Select(c => c.GetString()));
            var rows = parsed.GetProperty("rows").EnumerateArray().Select(r => r.EnumerateArray().Select(f => f.GetString()!).ToArray()).ToArray();
            Assert.Equal(stored.Length, rows.Length);
            foreach (var (order, row) in stored.OrderBy(o => o.Id).Zip(rows))
            {
                Assert.Equal(order.Id.ToString(CultureInfo.InvariantCulture), row[0]);
                Assert.Equal(order.Timestamp, DateTime.Parse(row[1], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal));
                Assert.Equal([order.Username, order.Market, order.Side], row[2..5]);
                Assert.Equal(order.Size.ToString(CultureInfo.InvariantCulture), row[5]);
                Assert.Equal(order.Price.ToString(CultureInfo.InvariantCulture), row[6]);
                Assert.Equal(order.ClientOrderId ?? "", row[7]);
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_rfc_4180_csv_as_an_attachment_with_crlf_lines_and_the_snapshot_id()
    {
        var stored = await AddSampleAsync();

        var response = await _store.ExportAsync("");

        Assert.Equal(200, response.Status);
        Assert.Equal(ExportFormat.CsvMediaType, response.ContentType);
        var disposition = System.Net.Http.Headers.ContentDispositionHeaderValue.Parse(response.Headers["Content-Disposition"]);
        Assert.Equal("attachment", disposition.DispositionType);
        Assert.Matches(@"^""?orders-\d{8}T\d{6}Z\.csv""?$", disposition.FileName);
        Assert.Equal(stored.Max(o => o.Id).ToString(CultureInfo.InvariantCulture), response.Headers[ExportFormat.SnapshotHeader]);
        Assert.StartsWith("id,timestamp,username,market,side,size,price,clientOrderId\r\n", response.Body, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", response.Body, StringComparison.Ordinal);
        Assert.Contains("\"o'brien, \"\"the trader\"\"\"", response.Body, StringComparison.Ordinal);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_writes_ndjson_of_the_listings_order_objects_filtered_in_id_order()
    {
        var stored = await AddSampleAsync();
        var expected = stored.Where(o => o.Market == "BTC-USD" && o.Side == "buy" && o.Timestamp >= Start).OrderBy(o => o.Id).ToArray();

        var response = await _store.ExportAsync("format=ndjson&market=BTC-USD&side=BUY&from=2026-11-01T00:00Z");

        Assert.Equal(200, response.Status);
        Assert.Equal(ExportFormat.NdjsonMediaType, response.ContentType);
        var lines = response.Body.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, lines.Length);
        foreach (var (order, line) in expected.Zip(lines))
        {
            var json = JsonDocument.Parse(line).RootElement;
            Assert.Equal(order.Id, json.GetProperty("id").GetInt64());
            Assert.Equal(order.Username, json.GetProperty("username").GetString());
            Assert.Equal(order.Size.ToString(CultureInfo.InvariantCulture), json.GetProperty("size").GetRawText());
            Assert.Equal(order.Price.ToString(CultureInfo.InvariantCulture), json.GetProperty("price").GetRawText());
            Assert.Equal(order.Timestamp, json.GetProperty("timestamp").GetDateTime().ToUniversalTime());
        }
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_every_order_once_in_id_order_when_the_export_spans_many_slices()
    {
        var stored = await _store.AddAsync([.. Enumerable.Range(0, 4321)
            .Select(i => new Order(Start.AddSeconds(i), "slicer", "SLC", i % 2 == 0 ? "buy" : "sell", 1m + i, 2m))]);

        var response = await _store.ExportAsync("format=csv&username=slicer");

        var ids = response.Body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => long.Parse(l[..l.IndexOf(',', StringComparison.Ordinal)], CultureInfo.InvariantCulture));
        Assert.Equal(stored.Select(o => o.Id), ids);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task OpenExportAsync_leaves_out_every_order_stored_after_it_opened()
    {
        // Arrange: an export opened over the first orders.
        var before = await AddSampleAsync();
        var exports = _store.Services.GetRequiredService<IOrderExportQueries>();
        await using var export = await exports.OpenExportAsync(new OrderFilter());

        // Act: more orders arrive while it has not been read, and while it is read.
        await _store.AddAsync([.. Enumerable.Range(0, 50).Select(i => new Order(Start.AddMinutes(i), "late", "BTC-USD", "buy", 1m, 2m))]);
        var read = new List<long>();
        await foreach (var order in export.ReadAllAsync())
        {
            if (read.Count == 10) await _store.AddAsync(new Order(Start, "later", "BTC-USD", "buy", 1m, 2m));
            read.Add(order.Id);
        }

        // Assert: exactly the orders stored before it opened.
        Assert.Equal(before.Max(o => o.Id), export.MaxId);
        Assert.Equal(before.Select(o => o.Id).Order(), read);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_a_header_only_csv_when_nothing_matches()
    {
        var response = await _store.ExportAsync("market=NONE");

        Assert.Equal(200, response.Status);
        Assert.Equal("id,timestamp,username,market,side,size,price,clientOrderId\r\n", response.Body);
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("format=xml", "format")]
    [InlineData("format=CSV", "format")]
    [InlineData("format=csv&format=ndjson", "format")]
    [InlineData("limit=10", "limit")]
    [InlineData("after=MQ", "after")]
    [InlineData("side=hold", "side")]
    [InlineData("colour=red", "colour")]
    [InlineData("from=2026-11-02T00:00Z&to=2026-11-01T00:00Z", "to")]
    public async Task Run_returns_400_naming_the_parameter_when_it_is_bad(string query, string parameter)
    {
        var response = await _store.ExportAsync(query);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal([parameter], response.ErrorKeys);
    }
}

/// <summary><see cref="ExportOrdersTests"/> on a SQLite file.</summary>
public sealed class SqliteExportOrdersTests() : ExportOrdersTests(StoreEngine.Sqlite);

/// <summary><see cref="ExportOrdersTests"/> on PostgreSQL.</summary>
[RequiresPostgres]
public sealed class PostgresExportOrdersTests() : ExportOrdersTests(StoreEngine.Postgres);
