using System.Net;
using System.Text.Json;
using OrderClient;

namespace OrderFunctions.Tests.Client;

public sealed class QueryCommandsTests
{
    private const string Url = "http://orders.test/API/orders";

    private static string Order(long id, string user = "alice", string market = "BTC-USD") =>
        $$"""{"id":{{id}},"timestamp":"2026-11-27T10:15:30.123456Z","username":"{{user}}","market":"{{market}}","side":"buy","size":0.1,"price":43000.12345678,"clientOrderId":"c{{id}}"}""";

    private const string Stats =
        """{"markets":[{"market":"BTC-USD","count":3,"buyVolume":1.5,"sellVolume":0.2,"notional":12345.67,"vwap":43000.5,"minPrice":42000,"maxPrice":44000,"firstTimestamp":"2026-11-27T10:15:30Z","lastTimestamp":"2026-11-27T11:00:00Z"},{"market":"ETH-USD","count":12,"buyVolume":10,"sellVolume":2.25,"notional":36000,"vwap":2938.77551020,"minPrice":2900,"maxPrice":3000,"firstTimestamp":"2026-11-27T10:00:00Z","lastTimestamp":"2026-11-27T12:00:00Z"}]}""";

    [Fact]
    public async Task Get_prints_order_from_derived_url_and_exits_0_when_found()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, Order(42)));

        var run = await ClientRun.RunAsync(handler, "get", "42", "--url", Url, "--key", "k");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal(new Uri("http://orders.test/API/orders/42"), request.Uri);
        Assert.Equal("k", request.Key);
        Assert.Contains("Order 42", run.Output);
        Assert.Contains("price          43000.12345678", run.Output);
    }

    [Fact]
    public async Task Get_prints_raw_json_when_json_is_requested()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, Order(42)));

        var run = await ClientRun.RunAsync(handler, "get", "42", "--url", Url, "--json");

        Assert.Equal(Order(42), run.Output.Trim());
    }

    [Fact]
    public async Task Get_exits_1_with_message_when_order_is_not_found()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.NotFound,
            """{"title":"Not Found","status":404,"detail":"There is no order 42."}"""));

        var run = await ClientRun.RunAsync(handler, "get", "42", "--url", Url);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("Order 42 not found (404): There is no order 42.", run.Error);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task List_follows_next_cursor_to_last_page_when_all_is_given()
    {
        var handler = new FakeOrdersHandler((request, _) =>
            FakeOrdersHandler.Json(HttpStatusCode.OK, request.Uri.Query.Contains("after=p2", StringComparison.Ordinal)
            ? $$"""{"items":[{{Order(3)}}],"next":null}"""
            : request.Uri.Query.Contains("after=p1", StringComparison.Ordinal)
                ? $$"""{"items":[{{Order(2)}}],"next":"p2"}"""
                : $$"""{"items":[{{Order(1)}}],"next":"p1"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--market", "BTC-USD", "--limit", "1", "--all");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(3, handler.Requests.Count);
        Assert.Equal("?market=BTC-USD&limit=1", handler.Requests[0].Uri.Query);
        Assert.Equal("?market=BTC-USD&limit=1&after=p1", handler.Requests[1].Uri.Query);
        Assert.Equal("?market=BTC-USD&limit=1&after=p2", handler.Requests[2].Uri.Query);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("id  timestamp", lines[0]);
        Assert.Equal(3, lines.Count(l => l.Contains("43000.12345678", StringComparison.Ordinal)));
        Assert.Contains("3 orders.", run.Output);
    }

    [Fact]
    public async Task List_prints_one_page_and_its_cursor_when_all_is_not_given()
    {
        var handler = new FakeOrdersHandler((_, _) =>
            FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(1)}},{{Order(2, "bob")}}],"next":"abc"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url);

        Assert.Single(handler.Requests);
        Assert.Contains("2 orders; more follow", run.Output);
        Assert.Contains("abc", run.Output);
    }

    [Fact]
    public async Task List_merges_pages_into_one_json_document_when_all_and_json_are_given()
    {
        var handler = new FakeOrdersHandler((request, _) =>
            FakeOrdersHandler.Json(HttpStatusCode.OK, request.Uri.Query.Contains("after=", StringComparison.Ordinal)
            ? $$"""{"items":[{{Order(2)}}],"next":null}"""
            : $$"""{"items":[{{Order(1)}}],"next":"p1"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--all", "--json");

        var document = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal([1L, 2L], document.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, document.GetProperty("next").ValueKind);
        Assert.Equal("43000.12345678", document.GetProperty("items")[0].GetProperty("price").GetRawText());
    }

    [Fact]
    public async Task List_starts_after_the_cursor_and_says_1_order_when_after_is_given()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(9)}}],"next":null}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--after", "Mg", "--limit", "5");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal("?limit=5&after=Mg", Assert.Single(handler.Requests).Uri.Query);
        Assert.EndsWith("1 order.", run.Output.TrimEnd());
    }

    [Fact]
    public async Task List_tells_how_to_get_the_next_page_with_after_when_more_follow()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(1)}}],"next":"Mg"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--limit", "1");

        Assert.Contains("1 order; more follow: the next page is --after Mg", run.Output);
    }

    /// <summary>
    /// 200 pages of 5 orders. When the client asks for page k, page k-1 must already be in its output: the pages are
    /// streamed, not gathered, so memory holds one page whatever the number of orders.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task List_writes_each_page_before_requesting_the_next_when_all_is_given(bool json)
    {
        const int pages = 200, perPage = 5;
        var output = new StringWriter();
        var notYetWritten = new List<int>();
        var handler = new FakeOrdersHandler((request, index) =>
        {
            // The last order of the page before this one, by its clientOrderId (unique in the output).
            if (index > 0 && !output.ToString().Contains($"\"c{index * perPage}\"", StringComparison.Ordinal)
                && !output.ToString().Contains($" c{index * perPage}\n", StringComparison.Ordinal))
            {
                lock (notYetWritten) notYetWritten.Add(index);
            }
            var items = string.Join(",", Enumerable.Range(index * perPage + 1, perPage).Select(id => Order(id)));
            var next = index + 1 < pages ? $"\"p{index + 1}\"" : "null";
            return FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{items}}],"next":{{next}}}""");
        });
        string[] args = json ? ["list", "--url", Url, "--all", "--json"] : ["list", "--url", Url, "--all"];

        var run = await ClientRun.RunAsync(new ClientRunSettings { Handler = handler, Output = output }, args);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(pages, handler.Requests.Count);
        Assert.Empty(notYetWritten);
        if (json)
        {
            var document = JsonDocument.Parse(run.Output).RootElement;
            Assert.Equal(Enumerable.Range(1, pages * perPage).Select(i => (long)i),
                document.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
            Assert.Equal(JsonValueKind.Null, document.GetProperty("next").ValueKind);
        }
        else
        {
            Assert.Equal(pages * perPage, run.Output.Split('\n').Count(l => l.Contains("43000.12345678", StringComparison.Ordinal)));
            Assert.EndsWith("1,000 orders.", run.Output.TrimEnd());
        }
    }

    [Fact]
    public async Task List_closes_json_with_the_cursor_to_continue_and_exits_2_when_a_later_page_fails()
    {
        var handler = new FakeOrdersHandler((request, _) => request.Uri.Query.Contains("after=p1", StringComparison.Ordinal)
            ? FakeOrdersHandler.Problem(HttpStatusCode.ServiceUnavailable,
                """{"title":"Service Unavailable","status":503,"detail":"The order store cannot be read now; retry later."}""")
            : FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(1)}}],"next":"p1"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--all", "--json");

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        var document = JsonDocument.Parse(run.Output).RootElement;
        Assert.Equal(1, document.GetProperty("items").GetArrayLength());
        Assert.Equal("p1", document.GetProperty("next").GetString());
        Assert.Contains("The order store cannot be read now", run.Error);
        Assert.Contains("--after p1", run.Error);
    }

    [Fact]
    public async Task List_all_asks_again_and_prints_every_order_when_the_store_holds_a_page_back()
    {
        // The PostgreSQL store holds a page back while a commit below it is in flight on another instance: an empty
        // page whose next is the cursor asked with (docs/read-api.md, "Tailing"). Before, list --all took it for a
        // server repeating a cursor and stopped with exit 2.
        var handler = new FakeOrdersHandler((request, index) => request.Uri.Query.Contains("after=p1", StringComparison.Ordinal)
            ? index < 3
                ? FakeOrdersHandler.Json(HttpStatusCode.OK, """{"items":[],"next":"p1"}""")
                : FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(2)}}],"next":null}""")
            : FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(1)}}],"next":"p1"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--all", "--csv");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(4, handler.Requests.Count);
        var rows = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(line => line.Split(',')[0]).ToArray();
        Assert.Equal(["1", "2"], rows);
    }

    [Fact]
    public async Task List_stops_with_exit_2_instead_of_looping_when_server_repeats_a_cursor()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"items":[{{Order(1)}}],"next":"same"}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--all");

        Assert.Equal(ExitCodes.Unavailable, run.ExitCode);
        Assert.Equal(2, handler.Requests.Count);
        Assert.Contains("same cursor", run.Error);
    }

    [Fact]
    public async Task List_prints_parameter_errors_and_exits_1_when_server_answers_400()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Problem(HttpStatusCode.BadRequest,
            """{"title":"One or more validation errors occurred.","status":400,"errors":{"limit":["must be 1 to 1000"]}}"""));

        var run = await ClientRun.RunAsync(handler, "list", "--url", Url, "--limit", "5000");

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("  limit: must be 1 to 1000", run.Error);
    }

    [Fact]
    public async Task Stats_prints_aligned_table_with_a_row_per_market()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, Stats));

        var run = await ClientRun.RunAsync(handler, "stats", "--url", Url, "--from", "2026-11-27T00:00:00Z");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(new Uri("http://orders.test/API/orders/stats?from=2026-11-27T00%3A00%3A00Z"), Assert.Single(handler.Requests).Uri);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal("2 markets.", lines[4]);
        Assert.StartsWith("market ", lines[0]);
        Assert.StartsWith("BTC-USD", lines[2]);
        Assert.StartsWith("ETH-USD", lines[3]);
        Assert.Contains("2938.77551020", lines[3]);
        // Numbers are right-aligned: a column's values end where its header ends.
        var countEnd = lines[0].IndexOf("count", StringComparison.Ordinal) + "count".Length;
        Assert.Equal('3', lines[2][countEnd - 1]);
        Assert.Equal("12", lines[3][(countEnd - 2)..countEnd]);
    }

    [Fact]
    public async Task Stats_prints_server_json_when_json_is_requested()
    {
        var handler = new FakeOrdersHandler((_, _) => FakeOrdersHandler.Json(HttpStatusCode.OK, Stats));

        var run = await ClientRun.RunAsync(handler, "stats", "--url", Url, "--market", "BTC-USD", "--json");

        Assert.Equal(Stats, run.Output.Trim());
        Assert.Equal("?market=BTC-USD", Assert.Single(handler.Requests).Uri.Query);
    }

    private static string Market(string name) =>
        $$"""{"market":"{{name}}","count":1,"buyVolume":1,"sellVolume":0,"notional":2.5,"vwap":2.5,"minPrice":2.5,"maxPrice":2.5,"firstTimestamp":"2026-11-27T10:15:30Z","lastTimestamp":"2026-11-27T10:15:30Z"}""";

    [Fact]
    public async Task Stats_follows_the_next_cursor_over_every_page_of_markets_when_all_is_given()
    {
        var handler = new FakeOrdersHandler((request, _) =>
            FakeOrdersHandler.Json(HttpStatusCode.OK, request.Uri.Query.Contains("after=m2", StringComparison.Ordinal)
            ? $$"""{"markets":[{{Market("SOL-USD")}}],"next":null}"""
            : request.Uri.Query.Contains("after=m1", StringComparison.Ordinal)
                ? $$"""{"markets":[{{Market("ETH-USD")}}],"next":"m2"}"""
                : $$"""{"markets":[{{Market("BTC-USD")}}],"next":"m1"}"""));

        var table = await ClientRun.RunAsync(handler, "stats", "--url", Url, "--username", "alice", "--limit", "1", "--all");
        var json = await ClientRun.RunAsync(handler, "stats", "--url", Url, "--all", "--json");

        Assert.Equal(ExitCodes.Success, table.ExitCode);
        Assert.Equal(["?username=alice&limit=1", "?username=alice&limit=1&after=m1", "?username=alice&limit=1&after=m2"],
            handler.Requests.Take(3).Select(r => r.Uri.Query));
        Assert.Equal(["BTC-USD", "ETH-USD", "SOL-USD"],
            table.Output.Split('\n').Where(l => l.Contains("-USD", StringComparison.Ordinal)).Select(l => l[..7]));
        Assert.EndsWith("3 markets.", table.Output.TrimEnd());
        var document = JsonDocument.Parse(json.Output).RootElement;
        Assert.Equal(["BTC-USD", "ETH-USD", "SOL-USD"],
            document.GetProperty("markets").EnumerateArray().Select(m => m.GetProperty("market").GetString()));
        Assert.Equal(JsonValueKind.Null, document.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task Stats_says_1_market_and_how_to_get_the_next_page_when_more_follow()
    {
        var handler = new FakeOrdersHandler((_, _) =>
            FakeOrdersHandler.Json(HttpStatusCode.OK, $$"""{"markets":[{{Market("BTC-USD")}}],"next":"bTpCVEMtVVNE"}"""));

        var run = await ClientRun.RunAsync(handler, "stats", "--url", Url, "--after", "bTpBREEtRVVS");

        Assert.Equal("?after=bTpBREEtRVVS", Assert.Single(handler.Requests).Uri.Query);
        Assert.Contains("1 market; more follow: the next page is --after bTpCVEMtVVNE", run.Output);
    }
}
