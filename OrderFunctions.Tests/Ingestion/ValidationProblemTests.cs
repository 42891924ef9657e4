using System.Text.Json;
using OrderFunctions.Orders;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
using OrderFunctions.Tests.Support;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// The 400 problem a client reads when an order is wrong: the exact key (<c>price</c>, <c>[0].price</c>, <c>$</c>) and
/// the exact message, for every rule, posted through the function over the real store; none of them writes a row.
/// </summary>
public sealed class ValidationProblemTests
{
    private const string Ndjson = "application/x-ndjson";

    // A valid order with some fields' raw JSON values replaced; a null value removes the field.
    private static string Order(params (string Field, string? Raw)[] changes)
    {
        var fields = new List<(string Name, string? Raw)>
        {
            ("timestamp", "\"2026-11-27T10:15:30Z\""), ("username", "\"alice\""), ("market", "\"BTC-USD\""), ("side", "\"buy\""),
            ("size", "0.5"), ("price", "43000.5"),
        };
        foreach (var (field, raw) in changes)
        {
            var at = fields.FindIndex(f => f.Name == field);
            if (at < 0) fields.Add((field, raw));
            else fields[at] = (field, raw);
        }
        return "{" + string.Join(",", fields.Where(f => f.Raw is not null).Select(f => $"{JsonSerializer.Serialize(f.Name)}:{f.Raw}")) + "}";
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static async Task<Dictionary<string, string[]>> ErrorsOf(StandaloneApplication api, string body, string contentType = "application/json")
    {
        var response = await api.PostAsync(body, contentType);
        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("One or more validation errors occurred.", response.Json.GetProperty("title").GetString());
        Assert.Equal(0, api.CountRows());
        return response.Json.GetProperty("errors").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.EnumerateArray().Select(m => m.GetString()!).ToArray());
    }

    public static TheoryData<string, string, string> FieldErrors() => new()
    {
        { Order(("timestamp", null)), "timestamp", "is required" },
        { Order(("timestamp", "\"soon\"")), "timestamp", OrderValidator.TimestampMessage },
        { Order(("timestamp", "1")), "timestamp", "must be a string" },
        { Order(("username", null)), "username", "is required" },
        { Order(("username", "null")), "username", "is required" },
        { Order(("username", "\"\"")), "username", "must not be empty" },
        { Order(("username", "\"   \"")), "username", "must not be blank" },
        { Order(("username", "\"bad\\u0001name\"")), "username", "must not contain control characters" },
        { Order(("username", Quote(new string('a', 65)))), "username", "must be at most 64 characters" },
        { Order(("username", Quote(new string('a', 1024)))), "username", "must be at most 64 characters" },
        { Order(("username", Quote(new string('a', 1025)))), "username", "must be at most 1024 bytes" },
        { Order(("username", "\"\\ud800\"")), "username", "must be valid UTF-8 text" },
        { Order(("market", "\"\"")), "market", "must not be empty" },
        { Order(("market", "\"-BTC\"")), "market", OrderValidator.MarketMessage },
        { Order(("market", "\"BTC USD\"")), "market", OrderValidator.MarketMessage },
        { Order(("market", Quote(new string('A', 33)))), "market", "must be at most 32 characters" },
        { Order(("side", null)), "side", "is required" },
        { Order(("side", "\"hold\"")), "side", OrderValidator.SideMessage },
        { Order(("side", "\"\"")), "side", OrderValidator.SideMessage },
        { Order(("size", null)), "size", "is required" },
        { Order(("size", "null")), "size", "is required" },
        { Order(("size", "0")), "size", "must be greater than 0" },
        { Order(("size", "-0.00000001")), "size", "must be greater than 0" },
        { Order(("size", "true")), "size", "must be a number" },
        { Order(("size", "[1]")), "size", "must be a number" },
        { Order(("size", "\"abc\"")), "size", "must be a number" },
        { Order(("size", "\"1,5\"")), "size", "must be a number" },
        { Order(("size", Quote(new string('1', 65)))), "size", "must be a number" },
        { Order(("size", Quote(new string('0', 64)))), "size", "must be greater than 0" }, // a 64-character string is read
        { Order(("price", "1.000000001")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "10000000000")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "\"10000000000\"")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "1234567890.123456789")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "\"1234567890.123456789\"")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "79228162514264337593543950336")), "price", OrderValidator.PrecisionMessage },
        { Order(("price", "1e30")), "price", "is out of range" },
        { Order(("price", "\"1e400\"")), "price", "must be a number" },
        { Order(("clientOrderId", "\"\"")), "clientOrderId", OrderValidator.ClientOrderIdMessage },
        { Order(("clientOrderId", "\"a b\"")), "clientOrderId", OrderValidator.ClientOrderIdMessage },
        { Order(("clientOrderId", "\"a\\u007f\"")), "clientOrderId", OrderValidator.ClientOrderIdMessage },
        { Order(("clientOrderId", Quote(new string('c', 65)))), "clientOrderId", OrderValidator.ClientOrderIdMessage },
        { Order(("clientOrderId", "7")), "clientOrderId", "must be a string" },
        { Order(("qty", "1")), "qty", "is not a known field" },
        { Order(("q" + new string('x', 70), "1")), "q" + new string('x', 63) + "...", "is not a known field" },
        { Order((new string('x', 64), "1")), new string('x', 64), "is not a known field" },
        { Order((new string('x', 1024), "1")), new string('x', 64) + "...", "is not a known field" },
        { Order((new string('x', 1025), "1")), "(unreadable field name)", "is not a known field" },
        { Order().TrimEnd('}') + ",\"price\":{\"x\":1}}", "price", "appears more than once" },
        { Order().TrimEnd('}') + ",\"side\":7}", "side", "appears more than once" },
        { Order().TrimEnd('}') + ",\"price\":1}", "price", "appears more than once" },
    };

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(FieldErrors))]
    public async Task Run_answers_400_with_exact_key_and_message_when_one_field_is_wrong(string body, string key, string message)
    {
        await using var api = new StandaloneApplication();

        var errors = await ErrorsOf(api, body);

        Assert.Equal([key], errors.Keys);
        Assert.Equal([message], errors[key]);
    }

    public static TheoryData<string, string, string> BodyErrors() => new()
    {
        { "", "application/json", "the body is empty; send an order as a JSON object" },
        { "  \n", "application/json", "the body is empty; send an order as a JSON object" },
        { "1", "application/json", "must be a JSON object (one order) or an array of objects" },
        { "null", "application/json", "must be a JSON object (one order) or an array of objects" },
        { "[]", "application/json", "the array holds no orders" },
        { "{\"size\":", "application/json", "malformed JSON at line 1, byte 9" },
        { "{\n\"size\":1,\n}", "application/json", "malformed JSON at line 3, byte 1" },
        { Order() + "{}", "application/json", $"malformed JSON at line 1, byte {Order().Length + 1}" },
        { "", Ndjson, "the body holds no orders" },
        { "\n \r\n\t\n", Ndjson, "the body holds no orders" },
    };

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(BodyErrors))]
    public async Task Run_answers_400_keyed_by_dollar_when_the_body_is_not_orders(string body, string contentType, string message)
    {
        await using var api = new StandaloneApplication();

        var errors = await ErrorsOf(api, body, contentType);

        Assert.Equal(["$"], errors.Keys);
        Assert.Equal([message], errors["$"]);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json")]
    [InlineData(Ndjson)]
    public async Task Run_keys_the_first_element_as_index_0_when_a_batch_element_is_wrong(string contentType)
    {
        await using var api = new StandaloneApplication();
        string[] orders = [Order(("price", "-1"), ("side", "\"hold\"")), Order(), Order(("size", "0"))];
        var body = contentType == Ndjson ? string.Join("\n", orders) : $"[{string.Join(",", orders)}]";

        var errors = await ErrorsOf(api, body, contentType);

        Assert.Equal(["[0].price", "[0].side", "[2].size"], errors.Keys.Order());
        Assert.Equal(["must be greater than 0"], errors["[0].price"]);
        Assert.Equal([OrderValidator.SideMessage], errors["[0].side"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_keys_a_single_element_array_by_index_when_it_is_wrong()
    {
        await using var api = new StandaloneApplication();

        var errors = await ErrorsOf(api, $"[{Order(("market", null))}]");

        Assert.Equal(["[0].market"], errors.Keys);
        Assert.Equal(["is required"], errors["[0].market"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_element_and_reason_when_array_elements_are_not_objects()
    {
        await using var api = new StandaloneApplication();

        var errors = await ErrorsOf(api, $"[{Order()},[1,2],\"x\"]");

        Assert.Equal(["[1]", "[2]"], errors.Keys.Order());
        Assert.Equal(["must be a JSON object"], errors["[1]"]);
        Assert.Equal(["must be a JSON object"], errors["[2]"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_ndjson_lines_counting_blank_ones_when_lines_are_bad()
    {
        await using var api = new StandaloneApplication();
        // Line 1 is blank, so the bad ones are lines 3, 4 and 5 and orders [1], [2] and [3].
        var body = $"\n{Order()}\n[1]\n{{\"size\":\n{Order(("side", "\"hold\""))}\n";

        var errors = await ErrorsOf(api, body, Ndjson);

        Assert.Equal(["[1]", "[2]", "[3].side"], errors.Keys.Order());
        Assert.Equal(["line 3 must be a JSON object"], errors["[1]"]);
        Assert.Equal(["line 4: malformed JSON at line 1, byte 9"], errors["[2]"]);
        Assert.Equal([OrderValidator.SideMessage], errors["[3].side"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_keeps_one_index_per_line_when_an_ndjson_line_has_content_after_its_object()
    {
        await using var api = new StandaloneApplication();
        var body = $"{Order()} x\n{Order(("side", "\"hold\""))}\n";

        var errors = await ErrorsOf(api, body, Ndjson);

        Assert.Equal(["[0]", "[1].side"], errors.Keys);
        Assert.Equal([$"line 1: malformed JSON at line 1, byte {Order().Length + 2}"], errors["[0]"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_price_when_a_string_number_is_not_utf8()
    {
        await using var api = new StandaloneApplication();

        var errors = await ErrorsOf(api, Order(("price", "\"1\\ud800\"")));

        Assert.Equal(["must be a number"], errors["price"]);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_lists_every_message_of_a_key_when_it_gets_more_than_one()
    {
        await using var api = new StandaloneApplication();
        // Two unknown names sharing their first 64 characters are reported under the same shortened key.
        var prefix = new string('x', 70);
        var key = new string('x', 64) + "...";

        var errors = await ErrorsOf(api, Order((prefix + "a", "1"), (prefix + "b", "2")));

        Assert.Equal([key], errors.Keys);
        Assert.Equal(["is not a known field", "is not a known field"], errors[key]);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(ValidationErrors.MaxKeys, 0)]
    [InlineData(ValidationErrors.MaxKeys + 1, 1)]
    [InlineData(ValidationErrors.MaxKeys + 50, 50)]
    public async Task Run_keeps_the_first_100_error_keys_and_counts_the_rest_under_more_when_a_batch_has_many(int badOrders, int omitted)
    {
        await using var api = new StandaloneApplication();
        var body = "[" + string.Join(",", Enumerable.Repeat(Order(("side", "\"hold\"")), badOrders)) + "]";

        var errors = await ErrorsOf(api, body);

        var kept = Enumerable.Range(0, ValidationErrors.MaxKeys).Select(i => $"[{i}].side");
        Assert.Equal(omitted > 0 ? [.. kept, ValidationErrors.OverflowKey] : kept, errors.Keys);
        Assert.All(kept, key => Assert.Equal([OrderValidator.SideMessage], errors[key]));
        if (omitted > 0) Assert.Equal([$"{omitted} further errors were omitted"], errors[ValidationErrors.OverflowKey]);
    }
}
