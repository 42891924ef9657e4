using System.Text;
using OrderFunctions.Tests.Support;
using Xunit.Abstractions;

using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// Fuzzing with a fixed seed, in process through the real function classes over a real store: 10,000 mutated order
/// bodies (object, array, NDJSON) and 10,000 mutated query strings (listing, statistics). Each input is a valid request
/// given a defect no mutation can repair (a missing field, an unknown parameter) and a hostile one (a lone-surrogate
/// name, a repeated field, an out-of-range instant, invalid UTF-8...), then up to three random byte-level mutations,
/// so every one must be refused: every answer is a 4xx problem, none a 5xx, and no row is written.
/// The seed makes a failure reproducible; the failing inputs are printed, escaped.
/// </summary>
public sealed class InputFuzzTests(ITestOutputHelper output)
{
    private const int Seed = 20261128;
    private const int Inputs = 10_000;

    private static readonly string[] Fields = ["timestamp", "username", "market", "side", "size", "price", "clientOrderId"];

    // Values a hostile client sends, each wrong for any field it lands in (or for the one it is tried on).
    private static readonly string[] HostileValues =
    [
        "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\ud834b\"", "\"\\u0000\"", "-1", "0", "1e400", "-0", "1e-400",
        "79228162514264337593543950336", "0.123456789012345678901", "\"NaN\"", "true", "[]", "{}", "[[[1]]]",
        "{\"a\":{\"b\":1}}", "\"\"", "\" \"", "\"0001-01-01T00:00:00+00:01\"", "\"9999-12-31T23:59:59.9999999-00:01\"",
        "\"10000-01-01T00:00:00Z\"", "\"0000-12-31T23:59:59Z\"", "\"2026-02-30T00:00:00Z\"", "\"hold\"",
        "\"" + new string('x', 2000) + "\"", "\"BTC USD\"", "\"\\t\"", "\"é\\ud800\"",
    ];

    // Field names that are no field: lone surrogates, near misses, escapes of nothing known.
    private static readonly string[] HostileNames =
    [
        "\\ud800", "\\udc00", "x\\ud800y", "\\udbff\\udbff", "prcie", "Price ", "", "\\u0000", "sid\\u0065x", "$type",
        "__proto__", "size\\ud800",
    ];

    // Byte-level insertions: structure, escapes, invalid UTF-8, a BOM, control bytes.
    private static readonly byte[][] Insertions =
    [
        "\""u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(),
        "\\"u8.ToArray(), "\\ud800"u8.ToArray(), "\\u"u8.ToArray(), "\n"u8.ToArray(), "\r\n"u8.ToArray(), [0], [0xFF],
        [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0xF4, 0x90, 0x80, 0x80], "1e999"u8.ToArray(),
        "null"u8.ToArray(), "-"u8.ToArray(), " "u8.ToArray(), "/*x*/"u8.ToArray(),
    ];

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_every_mutated_body_with_4xx_problem_and_writes_nothing()
    {
        // Arrange: one stored order, so a dropped or emptied table would show.
        await using var api = new StandaloneApplication();
        Assert.Equal(201, (await api.PostAsync(TestOrders.Json(clientOrderId: "seed"))).Status);
        var random = new Random(Seed);

        // Act
        var failures = new List<string>();
        for (var i = 0; i < Inputs; i++)
        {
            var (body, contentType) = MutatedBody(random);
            var response = await api.PostAsync(body, contentType);
            if (response.Status is < 400 or >= 500 || response.ContentType != "application/problem+json")
            {
                failures.Add($"#{i} {contentType} {Escape(body)} -> {response.Status} {response.ContentType} {response.Body}");
            }
        }

        // Assert
        output.WriteLine($"{Inputs} mutated bodies (seed {Seed}), {failures.Count} not answered 4xx problem+json");
        foreach (var failure in failures.Take(20)) output.WriteLine(failure);
        Assert.Empty(failures);
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_answers_every_mutated_query_with_4xx_problem_and_writes_nothing()
    {
        // Arrange
        await using var api = new StandaloneApplication();
        Assert.Equal(201, (await api.PostAsync(TestOrders.Json(clientOrderId: "seed"))).Status);
        var random = new Random(Seed);

        // Act
        var failures = new List<string>();
        for (var i = 0; i < Inputs; i++)
        {
            var path = i % 2 == 0 ? "/API/orders" : "/API/orders/stats";
            var query = MutatedQuery(random, stats: i % 2 == 1);
            var response = await api.GetAsync(path, query);
            if (response.Status is < 400 or >= 500 || response.ContentType != "application/problem+json")
            {
                failures.Add($"#{i} {path}{Escape(Encoding.UTF8.GetBytes(query))} -> {response.Status} {response.ContentType} {response.Body}");
            }
        }

        // Assert
        output.WriteLine($"{Inputs} mutated query strings (seed {Seed}), {failures.Count} not answered 4xx problem+json");
        foreach (var failure in failures.Take(20)) output.WriteLine(failure);
        Assert.Empty(failures);
        Assert.Equal(1, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json", """{"\ud800":1}""")]
    [InlineData("application/json", """[{"\ud800":1}]""")]
    [InlineData("application/x-ndjson", "{\"\\ud800\":1}\n")]
    [InlineData("application/json", """{"timestamp":"2026-11-27T10:15:30Z","username":"alice","market":"BTC-USD","side":"buy","size":1,"price":1,"\udc00":0}""")]
    public async Task Post_answers_400_problem_when_a_field_name_is_a_lone_surrogate(string contentType, string body)
    {
        await using var api = new StandaloneApplication();

        var response = await api.PostAsync(body, contentType);

        Assert.Equal(400, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(0, api.CountRows());
    }

    private static (byte[] Body, string ContentType) MutatedBody(Random random)
    {
        var count = random.Next(3) == 0 ? 1 : random.Next(1, 4);
        var orders = Enumerable.Range(0, count).Select(i => ValidOrder(random, i)).ToList();
        Defect(orders[random.Next(orders.Count)], random);

        string text;
        string contentType;
        switch (random.Next(3))
        {
            case 0 when count == 1:
                text = Object(orders[0]);
                contentType = "application/json";
                break;
            case 1:
                text = string.Join("\n", orders.Select(Object)) + (random.Next(2) == 0 ? "\n" : "");
                contentType = "application/x-ndjson";
                break;
            default:
                text = "[" + string.Join(",", orders.Select(Object)) + "]";
                contentType = "application/json";
                break;
        }
        var body = Encoding.UTF8.GetBytes(text).ToList();
        for (var m = random.Next(4); m > 0; m--) Mutate(body, random);
        return ([.. body], contentType);
    }

    private static List<KeyValuePair<string, string>> ValidOrder(Random random, int i) =>
    [
        new("timestamp", $"\"2026-11-27T10:{random.Next(60):D2}:30.{random.Next(1000):D3}Z\""),
        new("username", $"\"user{random.Next(100)}\""),
        new("market", random.Next(2) == 0 ? "\"BTC-USD\"" : "\"ETH-USD\""),
        new("side", random.Next(2) == 0 ? "\"buy\"" : "\"sell\""),
        new("size", $"{random.Next(1, 1000)}.{random.Next(100_000_000):D8}"),
        new("price", $"\"{random.Next(1, 100_000)}.5\""),
        new("clientOrderId", $"\"fuzz-{i}-{random.Next(1_000_000)}\""),
    ];

    // Two defects: a required field removed, which no byte-level mutation below can put back (none inserts a whole
    // field), so the body is invalid whatever the mutations do; and a hostile name, a repeat or a hostile value, so
    // the reader and validator meet them (both report every field, not just the first error).
    private static void Defect(List<KeyValuePair<string, string>> order, Random random)
    {
        order.RemoveAt(random.Next(Fields.Length - 1)); // clientOrderId is optional: never the one removed
        var field = random.Next(order.Count);
        switch (random.Next(3))
        {
            case 0:
                order.Insert(random.Next(order.Count + 1),
                    new(HostileNames[random.Next(HostileNames.Length)], HostileValues[random.Next(HostileValues.Length)]));
                break;
            case 1:
                order.Insert(random.Next(order.Count + 1), new(order[field].Key, order[field].Value)); // repeated
                break;
            default:
                order[field] = new(order[field].Key, HostileValues[random.Next(HostileValues.Length)]);
                break;
        }
    }

    private static string Object(List<KeyValuePair<string, string>> order) =>
        "{" + string.Join(",", order.Select(p => $"\"{p.Key}\":{p.Value}")) + "}";

    private static void Mutate(List<byte> body, Random random)
    {
        var at = random.Next(body.Count + 1);
        switch (random.Next(5))
        {
            case 0 when body.Count > 0:
                body[Math.Min(at, body.Count - 1)] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when body.Count > 0:
                var length = Math.Min(random.Next(1, 4), body.Count - Math.Min(at, body.Count - 1));
                body.RemoveRange(Math.Min(at, body.Count - 1), length);
                break;
            case 2 when body.Count > 4:
                var start = random.Next(body.Count - 4);
                body.InsertRange(at, body.GetRange(start, random.Next(1, 5)));
                break;
            default:
                body.InsertRange(at, Insertions[random.Next(Insertions.Length)]);
                break;
        }
    }

    private static readonly string[] ListDefects =
    [
        "zz=1", "colour=red", "limit=0", "limit=1001", "limit=-5", "limit=1.5", "limit=%2B1", "after=MA", "after=not-a-cursor",
        "after=bTpCVEMtVVNE", "side=hold", "side=", "market=", "from=yesterday", "from=0001-01-01T00:00:00%2B00:01",
        "to=9999-12-31T23:59:59.9999999-00:01", "from=2026-11-28T00:00Z&to=2026-11-27T00:00Z", "username=a&username=b",
        "username=" + new string('u', 65), "market=" + new string('m', 33), "%ED%A0%80=1", "\ud800=1", "market=\udc00&q\ud800=",
    ];

    private static readonly string[] StatsDefects =
    [
        "zz=1", "side=buy", "limit=0", "limit=1001", "limit=x", "after=MA", "after=MzE3MTc", "after=bTo", "market=",
        "from=0001-01-01T00:00:00%2B14:00", "to=10000-01-01T00:00Z", "from=2026-11-28T00:00Z&to=2026-11-27T00:00Z",
        "market=a&market=b", "%FF%FE=1", "\udfff=\ud800", "username=",
    ];

    private static readonly string[] QueryInsertions =
    [
        "&", "=", "%", "%2", "%ED%A0%80", "%FF", "%00", "%2B", "+", "#", "?", "\ud800", "\udc00", "\u0000", "é", "%C0%80", "&&", "==",
    ];

    private static string MutatedQuery(Random random, bool stats)
    {
        var parts = new List<string>();
        if (random.Next(2) == 0) parts.Add("market=BTC-USD");
        if (random.Next(2) == 0) parts.Add("username=alice");
        if (random.Next(2) == 0) parts.Add("from=2026-11-27T00:00Z");
        if (random.Next(3) == 0) parts.Add($"limit={random.Next(1, 1001)}");
        if (!stats && random.Next(3) == 0) parts.Add("side=buy");
        var defects = stats ? StatsDefects : ListDefects;
        parts.Insert(random.Next(parts.Count + 1), defects[random.Next(defects.Length)]);
        // First, an unknown parameter that no mutation below can turn into a known one (deleting its '&' only merges
        // the next parameter into its value), so every query is invalid whatever the mutations do.
        parts.Insert(0, $"fuzzparam{random.Next(1000)}={random.Next(10)}");

        var query = new StringBuilder(string.Join("&", parts));
        for (var m = random.Next(4); m > 0; m--)
        {
            var at = random.Next(query.Length + 1);
            if (random.Next(3) == 0 && query.Length > 0 && at < query.Length) query.Remove(at, 1);
            else query.Insert(at, QueryInsertions[random.Next(QueryInsertions.Length)]);
        }
        return "?" + query;
    }

    private static string Escape(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes.Take(300)) text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        return text.ToString();
    }
}
