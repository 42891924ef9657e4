using System.Text.Json;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class ReplayFileReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("replay-reader-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<List<ReplayItem>> ReadAllAsync(string path)
    {
        using var reader = new ReplayFileReader(path);
        var items = new List<ReplayItem>();
        while (await reader.NextAsync() is { } item) items.Add(item);
        return items;
    }

    private static JsonElement Order(ReplayItem item) => JsonDocument.Parse(item.Json!).RootElement;

    [Fact]
    public async Task Next_adds_deterministic_client_order_id_when_ndjson_line_has_none()
    {
        var path = Write("orders.ndjson",
            """
            {"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":43000.12345678}

            {"timestamp":"2026-11-27T10:15:31Z","username":"bob","market":"ETH-USD","side":"sell","size":2,"price":3000,"clientOrderId":"given"}
            """);

        var first = await ReadAllAsync(path);
        var second = await ReadAllAsync(path);

        Assert.Equal([1L, 3L], first.Select(i => i.Line));
        var id = Order(first[0]).GetProperty("clientOrderId").GetString()!;
        Assert.Equal(id, Order(second[0]).GetProperty("clientOrderId").GetString());
        Assert.EndsWith("-1", id);
        Assert.InRange(id.Length, 1, 64);
        Assert.All(id, c => Assert.InRange(c, '!', '~'));
        Assert.Equal("given", Order(first[1]).GetProperty("clientOrderId").GetString());
        Assert.Equal(("0.1", "43000.12345678"),
            (Order(first[0]).GetProperty("size").GetRawText(), Order(first[0]).GetProperty("price").GetRawText()));
    }

    [Fact]
    public void IdPrefix_differs_when_path_or_size_differs()
    {
        var prefix = ReplayFileReader.IdPrefix("/data/orders.ndjson", 100);

        Assert.Equal(prefix, ReplayFileReader.IdPrefix("/data/orders.ndjson", 100));
        Assert.NotEqual(prefix, ReplayFileReader.IdPrefix("/data/orders.ndjson", 101));
        Assert.NotEqual(prefix, ReplayFileReader.IdPrefix("/data/other.ndjson", 100));
    }

    [Fact]
    public async Task Next_reads_csv_with_quotes_numbers_and_optional_client_order_id_column()
    {
        var path = Write("orders.csv",
            "Timestamp,username,market,side,size,price,clientOrderId\n" +
            "2026-11-27 10:15:30.123456,\"smith, jr\",BTC-USD,BUY,0.00000001,9999999999.99999999,c-1\n" +
            "2026-11-27T10:16:00Z,bob,ETH-USD,sell,abc,10,\n");

        var items = await ReadAllAsync(path);

        Assert.Equal(2, items.Count);
        var first = Order(items[0]);
        Assert.Equal(2L, items[0].Line);
        Assert.Equal("smith, jr", first.GetProperty("username").GetString());
        Assert.Equal("0.00000001", first.GetProperty("size").GetRawText());
        Assert.Equal("9999999999.99999999", first.GetProperty("price").GetRawText());
        Assert.Equal("c-1", first.GetProperty("clientOrderId").GetString());
        var second = Order(items[1]);
        Assert.Equal(JsonValueKind.String, second.GetProperty("size").ValueKind); // not a number: the server says why
        Assert.EndsWith("-3", second.GetProperty("clientOrderId").GetString());
    }

    [Fact]
    public async Task Next_throws_naming_missing_column_when_csv_header_lacks_one()
    {
        var path = Write("orders.csv", "timestamp,username,market,side,size\n2026-11-27T10:16:00Z,bob,ETH-USD,sell,1\n");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(path));

        Assert.Contains("lacks the column(s) price", ex.Message);
    }

    [Fact]
    public async Task Next_reports_local_error_when_ndjson_line_is_not_json()
    {
        var path = Write("orders.ndjson", "not json\n[1,2]\n");

        var items = await ReadAllAsync(path);

        Assert.All(items, i => Assert.Null(i.Json));
        Assert.Contains("not valid JSON", items[0].LocalErrors!["line"][0]);
        Assert.Contains("not a JSON object", items[1].LocalErrors!["line"][0]);
    }

    [Fact]
    public async Task Next_reads_the_order_of_a_rejects_file_line_keeping_its_client_order_id()
    {
        var path = Write("orders.ndjson.rejected.ndjson",
            """{"line":2,"errors":{"price":["must be greater than 0"]},"order":{"timestamp":"2026-11-27T10:15:31Z","username":"bob","market":"ETH-USD","side":"sell","size":2,"price":5,"clientOrderId":"r0123-2"}}""");

        var order = Order((await ReadAllAsync(path))[0]);

        Assert.Equal("r0123-2", order.GetProperty("clientOrderId").GetString());
        Assert.False(order.TryGetProperty("errors", out _));
        Assert.Equal(5, order.GetProperty("price").GetInt32());
    }
}
