using System.Text;
using OrderFunctions.Orders;

using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Ingestion;

public sealed class OrderJsonReaderTests
{
    private static (List<OrderRequest?>? Orders, bool IsArray, Dictionary<string, string[]> Errors) Read(string json)
    {
        var errors = new ValidationErrors();
        var orders = OrderJsonReader.ReadJson(Encoding.UTF8.GetBytes(json), errors, out var isArray);
        return (orders, isArray, errors.ToDictionary());
    }

    [Fact]
    public void ReadJson_reads_every_field_when_object_is_valid()
    {
        var (orders, isArray, errors) = Read("""
            {"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":0.1,"price":"43000.12345678","clientOrderId":"c-1"}
            """);

        Assert.Empty(errors);
        Assert.False(isArray);
        var order = Assert.Single(orders!)!;
        Assert.Equal(("2026-11-27T10:15:30Z", "alice", "BTC-USD", "buy", 0.1m, 43000.12345678m, "c-1"),
            (order.Timestamp, order.Username, order.Market, order.Side, order.Size, order.Price, order.ClientOrderId));
    }

    [Fact]
    public void ReadJson_names_unknown_repeated_and_mistyped_fields_when_all_occur()
    {
        var (_, _, errors) = Read("""
            {"timestamp":1,"username":["a"],"market":{},"side":true,"size":"abc","price":1,"price":2,"prcie":3}
            """);

        Assert.Equal(["market", "prcie", "price", "side", "size", "timestamp", "username"], errors.Keys.Order());
        Assert.Equal(["appears more than once"], errors["price"]);
        Assert.Equal(["is not a known field"], errors["prcie"]);
    }

    [Theory]
    [InlineData("""{"\ud800":1}""")]
    [InlineData("""{"\udc00\ud800":1,"size":1}""")]
    [InlineData("""{"size":1,"a\ud800b":{"x":1}}""")]
    [InlineData("""[{"\ud800":1}]""")]
    [InlineData("""[{"size":1},{"\ud800":[1,2]}]""")]
    public void ReadJson_reports_the_name_as_unreadable_when_a_field_name_is_a_lone_surrogate(string json)
    {
        var (_, _, errors) = Read(json);

        Assert.Contains(errors,
            e => e.Key.EndsWith("(unreadable field name)", StringComparison.Ordinal) && e.Value.SequenceEqual(["is not a known field"]));
    }

    [Fact]
    public void ReadNdjson_reports_the_name_as_unreadable_when_a_field_name_is_a_lone_surrogate()
    {
        var errors = new ValidationErrors();

        var orders = OrderJsonReader.ReadNdjson("{\"size\":1}\n{\"\\ud800\":1}\n"u8, errors);

        Assert.Equal(2, orders!.Count);
        Assert.Equal(["[1].(unreadable field name)"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void ReadJson_recognises_a_field_name_when_it_is_written_with_escapes()
    {
        var (orders, _, errors) = Read("""{"\u0073ize":"abc","pr\u0069ce":2}""");

        Assert.Equal(["must be a number"], errors["size"]);
        Assert.Equal(2m, orders![0]!.Price);
    }

    [Theory]
    [InlineData("""{"size":1e400}""")]
    [InlineData("""{"size":79228162514264337593543950336}""")]
    [InlineData("""{"size":0.1234567890123456789}""")]
    [InlineData("""{"size":"1.00000000000000000000000000001"}""")]
    public void ReadJson_refuses_size_when_it_cannot_be_kept_exactly(string json)
    {
        var (_, _, errors) = Read(json);

        Assert.Contains("size", errors.Keys);
    }

    [Theory]
    [InlineData("""{"size":NaN}""")]
    [InlineData("""{"size":Infinity}""")]
    [InlineData("""{"timestamp":"x",}""")]
    [InlineData("""{"timestamp":"x"} trailing""")]
    [InlineData("""[[[["deep"]]]]""")]
    [InlineData("""{"timestamp":""")]
    public void ReadJson_returns_null_when_body_is_malformed(string json)
    {
        var (orders, _, errors) = Read(json);

        Assert.Null(orders);
        Assert.Contains("$", errors.Keys);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("\"order\"")]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("")]
    public void ReadJson_returns_null_when_body_holds_no_order_object(string json)
    {
        Assert.Null(Read(json).Orders);
    }

    [Fact]
    public void ReadJson_names_element_index_when_array_element_is_not_an_object()
    {
        var (orders, isArray, errors) = Read("""[{"side":"buy"}, 3]""");

        Assert.True(isArray);
        Assert.Equal(2, orders!.Count);
        Assert.Null(orders[1]);
        Assert.Equal(["[1]"], errors.Keys);
    }

    [Fact]
    public void ReadJson_refuses_array_when_longer_than_limit()
    {
        var json = "[" + string.Join(",", Enumerable.Repeat("{}", OrderBatchLimits.MaxOrders + 1)) + "]";

        var (orders, _, errors) = Read(json);

        Assert.Null(orders);
        Assert.Contains("at most 10000", errors["$"][0]);
    }

    [Fact]
    public void ReadNdjson_reads_one_order_per_line_when_blank_lines_are_mixed_in()
    {
        var errors = new ValidationErrors();
        var body = "{\"username\":\"a\"}\r\n\n  \n{\"username\":\"b\"}\n{\"side\":1}";

        var orders = OrderJsonReader.ReadNdjson(Encoding.UTF8.GetBytes(body), errors);

        Assert.Equal(["a", "b", null], orders!.Select(o => o!.Username));
        Assert.Equal(["[2].side"], errors.ToDictionary().Keys);
    }

    [Fact]
    public void ReadNdjson_names_index_when_a_line_is_malformed()
    {
        var errors = new ValidationErrors();

        var orders = OrderJsonReader.ReadNdjson("{}\n{oops\n"u8, errors);

        Assert.Null(orders![1]);
        Assert.Equal(["[1]"], errors.ToDictionary().Keys);
    }
}
