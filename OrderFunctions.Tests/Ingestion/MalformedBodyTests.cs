using System.Net.Http.Headers;
using System.Text;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using Xunit.Abstractions;


using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// A generated corpus of malformed bodies: every one gets a 4xx problem, none a 5xx, and none changes the table.
/// Injection strings inside otherwise valid orders are data, stored as sent.
/// </summary>
public sealed class MalformedBodyTests(ITestOutputHelper output)
{
    private const string Json = "application/json";
    private const string Injection = "'); DROP TABLE Orders;--";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_answers_every_malformed_body_with_4xx_problem_and_writes_nothing()
    {
        // Arrange: one stored order, so a dropped or emptied table would show.
        await using var api = new StandaloneApplication();
        Assert.Equal(201, (await api.PostAsync(TestOrders.Json(clientOrderId: "seed"))).Status);
        var corpus = Corpus();

        // Act
        var failures = new List<string>();
        foreach (var (name, contentType, body) in corpus)
        {
            var response = await api.PostAsync(body, contentType);
            if (response.Status is < 400 or >= 500 || response.ContentType != "application/problem+json")
            {
                failures.Add($"{name}: {response.Status} {response.ContentType} {response.Body}");
            }
        }

        // Assert
        output.WriteLine($"{corpus.Count} malformed bodies in-process, {failures.Count} not answered 4xx problem+json");
        Assert.True(corpus.Count >= 200, $"only {corpus.Count} bodies");
        Assert.Empty(failures);
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_sample_of_malformed_bodies_with_4xx_problem_and_writes_nothing_over_http()
    {
        // Arrange
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient();
        using var seeded = await client.PostAsync(host.OrdersUrl, new StringContent(TestOrders.Json(clientOrderId: "seed"), Encoding.UTF8, Json));
        Assert.Equal(201, (int)seeded.StatusCode);
        var corpus = Corpus();
        var sample = corpus.Where((entry, i) => i % 7 == 0 || entry.Name.StartsWith("injection", StringComparison.Ordinal)).ToList();

        // Act
        var failures = new List<string>();
        foreach (var (name, contentType, body) in sample)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await client.PostAsync(host.OrdersUrl, content);
            var answer = await ApiResponse.ReadAsync(response);
            if (answer.Status is < 400 or >= 500 || answer.ContentType != "application/problem+json")
            {
                failures.Add($"{name}: {answer.Status} {answer.ContentType} {answer.Body}");
            }
        }

        // Assert
        output.WriteLine($"{sample.Count} of {corpus.Count} malformed bodies over HTTP, {failures.Count} not answered 4xx problem+json");
        Assert.Empty(failures);
        Assert.Equal(1, host.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("Robert'); DROP TABLE Orders;--", "x');DROP/**/TABLE/**/Orders;--")]
    [InlineData("\" OR 1=1; --", "1'OR'1'='1")]
    [InlineData("<script>alert(1)</script>", "${jndi:ldap://x}")]
    [InlineData("名前 😀 Ünïcødé", "%00%27")]
    public async Task Run_stores_injection_strings_verbatim_when_they_sit_in_valid_fields(string username, string clientOrderId)
    {
        // Arrange
        await using var api = new StandaloneApplication();

        // Act
        var response = await api.PostAsync(TestOrders.Json(username: username, clientOrderId: clientOrderId));

        // Assert: read back from the file, not from the answer.
        Assert.Equal(201, response.Status);
        using var connection = api.Store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT username, client_order_id FROM Orders";
        using var row = command.ExecuteReader();
        Assert.True(row.Read());
        Assert.Equal(username, row.GetString(0));
        Assert.Equal(clientOrderId, row.GetString(1));
        Assert.False(row.Read());
    }

    /// <summary>Malformed bodies, each named for the failure it shows; deterministic (fixed random seed).</summary>
    internal static List<(string Name, string ContentType, byte[] Body)> Corpus()
    {
        var corpus = new List<(string, string, byte[])>();
        void Add(string name, string body, string contentType = Json) => corpus.Add((name, contentType, Encoding.UTF8.GetBytes(body)));
        void AddBytes(string name, byte[] body) => corpus.Add((name, Json, body));

        // Truncations of a valid order at every byte: never a whole object.
        var valid = Encoding.UTF8.GetBytes(TestOrders.Json(clientOrderId: "fuzz-1"));
        for (var length = 0; length < valid.Length; length++) AddBytes($"truncated at {length}", valid[..length]);

        // Each field with each wrong JSON type.
        string[] stringFields = ["timestamp", "username", "market", "side", "clientOrderId"];
        string[] numberFields = ["size", "price"];
        foreach (var field in stringFields)
        {
            foreach (var value in new[] { "123", "-1.5", "true", "false", "[]", "[\"a\"]", "{}", "{\"a\":1}" }) Add($"{field} = {value}",
                With(field, value));
            if (field != "clientOrderId") Add($"{field} = null", With(field, "null"));
        }
        foreach (var field in numberFields)
        {
            foreach (var value in new[] { "true", "false", "null", "[]", "[1]", "{}", "{\"v\":1}", "\"abc\"", "\"\"", "\" 1\"", "\"1,5\"",
                "\"0x10\"" }) Add($"{field} = {value}", With(field, value));
        }
        foreach (var field in stringFields.Concat(numberFields).Where(f => f != "clientOrderId")) Add($"{field} missing", Without(field));

        // Huge, tiny, negative, zero and non-finite numbers.
        foreach (var field in numberFields)
        {
            foreach (var value in new[] { "1e309", "-1e309", "1e-400", "0", "-0", "0.0", "-1", "-0.00000001", "0.000000001", "1e-9", "12345678901",
                "1e11", "99999999999.99999999", "0.123456789", "1E+100", "79228162514264337593543950336", "1234567890.123456789",
                "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1e400\"", "01", "1.", ".5", "+1", "1e" })
            {
                Add($"{field} = {value}", With(field, value));
            }
        }

        // Unicode edge cases that make an order invalid.
        foreach (var (name, value) in new[]
        {
            ("lone high surrogate", "\"\\ud800\""), ("lone low surrogate", "\"\\udfff\""), ("surrogate inside", "\"ab\\ud800cd\""),
            ("reversed pair", "\"\\udc00\\ud800\""), ("NUL", "\"a\\u0000b\""), ("unit separator", "\"a\\u001fb\""),
            ("line separators only", "\"\\u2028\\u2029\""), ("ideographic space only", "\"\\u3000\""), ("too long emoji",
                Quote(string.Concat(Enumerable.Repeat("😀", 33)))),
            ("too long accents", Quote(new string('é', 65))), ("raw tab", "\"a\tb\""), ("raw newline", "\"a\nb\""),
        })
        {
            Add($"username {name}", With("username", value));
        }
        foreach (var value in new[] { "\"BTC-ÜSD\"", "\"\\ud800\"", "\"BTC USD\"", "\"-BTC\"", "\"BTC\\u0000\"", "\"ＢＴＣ\"" })
        {
            Add($"market {value}", With("market", value));
        }
        foreach (var value in new[] { "\"ab\\u00e9\"", "\"a b\"", "\"\"", "\"\\ud800\"", "\"tab\\there\"" })
        {
            Add($"clientOrderId {value}", With("clientOrderId", value));
        }
        foreach (var bytes in new byte[][] { [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82] })
        {
            var prefix = Encoding.UTF8.GetBytes(With("username", "\"x").Split("\"x")[0] + "\"x");
            var rest = Encoding.UTF8.GetBytes("\"" + With("username", "\"x\"").Split("\"x\"")[1]);
            AddBytes($"username invalid UTF-8 {Convert.ToHexString(bytes)}", [.. prefix, .. bytes, .. rest]);
            AddBytes($"field name invalid UTF-8 {Convert.ToHexString(bytes)}", [.. "{\""u8, .. bytes, .. "\":1,"u8, .. valid[1..]]);
        }

        // Injection strings in positions that make the order invalid.
        Add("injection market", With("market", Quote(Injection)));
        Add("injection side", With("side", Quote("buy" + Injection)));
        Add("injection timestamp", With("timestamp", Quote("2026-11-27" + Injection)));
        Add("injection price", With("price", Quote("1; DROP TABLE Orders")));
        Add("injection size", With("size", Quote("1 OR 1=1")));
        Add("injection clientOrderId", With("clientOrderId", Quote("x" + Injection)));
        Add("injection long username", With("username", Quote(string.Concat(Enumerable.Repeat("Robert" + Injection, 3)))));
        Add("injection field name", "{" + Quote(Injection) + ":1," + TestOrders.Json()[1..]);
        Add("injection whole body", Injection);
        Add("injection market batch", $"[{TestOrders.Json()},{With("market", Quote("BTC" + Injection))}]");

        // Structure: wrong top level, trailing content, batches with a bad element, NDJSON, wrong media types.
        foreach (var body in new[] { "", " ", "null", "true", "0", "\"order\"", "[]", "[1]", "[null]", "[[]]", "{}", "{\"\":1}", "}", "]", "{]",
            "{\"a\"}",
            TestOrders.Json() + "{}", TestOrders.Json() + ",", TestOrders.Json() + " x", "[" + TestOrders.Json() + ",]", "[" + TestOrders.Json()
                + ",{}]",
            "[" + TestOrders.Json() + "," + With("side", "\"hold\"") + "]", "{\"timestamp\":1e999999999999}", "/* comment */" + TestOrders.Json(),
            TestOrders.Json().Replace("\"", "'", StringComparison.Ordinal), "[" + string.Join(",", Enumerable.Repeat("{}", 10_001)) + "]" })
        {
            Add($"structure {(body.Length > 40 ? body[..40] + "..." : body)}", body);
        }
        Add("ndjson bad line", TestOrders.Json() + "\n{\"side\":\"hold\"}\n", "application/x-ndjson");
        Add("ndjson not objects", "1\n2\n", "application/x-ndjson");
        Add("ndjson empty", "\n\n", "application/x-ndjson");
        Add("text/plain", TestOrders.Json(), "text/plain");
        Add("form", "username=alice&price=1", "application/x-www-form-urlencoded");
        Add("xml", "<order/>", "application/xml");

        // Random bytes, fixed seed; half of them after a '{' or '[' so the reader gets further in.
        var random = new Random(20261127);
        for (var i = 0; i < 40; i++)
        {
            var bytes = new byte[random.Next(1, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 1) bytes[0] = i % 4 == 1 ? (byte)'{' : (byte)'[';
            AddBytes($"random {i}", bytes);
        }
        return corpus;
    }

    private static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    // The valid order with one field's raw JSON value replaced (or removed).
    private static string With(string field, string rawValue) => Fields(field, rawValue);

    private static string Without(string field) => Fields(field, null);

    private static string Fields(string field, string? rawValue)
    {
        var fields = new List<(string Name, string Value)>
        {
            ("timestamp", "\"2026-11-27T10:15:30Z\""), ("username", "\"alice\""), ("market", "\"BTC-USD\""), ("side", "\"buy\""),
            ("size", "0.5"), ("price", "43000.5"), ("clientOrderId", "\"fuzz-2\""),
        };
        var parts = fields.Where(f => f.Name != field || rawValue is not null)
            .Select(f => $"\"{f.Name}\":{(f.Name == field ? rawValue : f.Value)}");
        return "{" + string.Join(",", parts) + "}";
    }
}
