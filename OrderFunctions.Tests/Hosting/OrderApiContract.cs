using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using static OrderFunctions.Tests.Support.ContractResponses;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// The HTTP contract README states, written once and run on every host (one subclass per host): each status of its
/// tables, the seed's own client payload, batches and NDJSON, the reads, health, and a 500 problem for an unexpected
/// failure. Tests share one host per class, so each works on its own username and market.
/// </summary>
public abstract class OrderApiContract(IOrderApiHost host)
{
    private const string OrdersPath = "/API/orders";
    private const string BatchPath = "/" + OrderFunctions.Http.OrderRoutes.Prefix + "/" + OrderFunctions.Http.OrderRoutes.Batch;

    /// <summary>The <c>OrderStorage:PrecedingOrderWait</c> every contract host runs with: short, since one test waits it out.</summary>
    public const string PrecedingOrderWait = "00:00:00.300";

    private readonly string _user = "u" + Guid.NewGuid().ToString("N")[..12];
    private readonly string _market = "M" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();

    private string OrderJson(string? clientOrderId = null, string size = "0.1", string price = "43000.12345678", string side = "buy",
        string timestamp = "2026-11-27T10:15:30.123Z")
    {
        var id = clientOrderId is null ? "" : $",\"clientOrderId\":\"{clientOrderId}\"";
        return $"{{\"timestamp\":\"{timestamp}\",\"username\":\"{_user}\",\"market\":\"{_market}\"," +
            $"\"side\":\"{side}\",\"size\":{size},\"price\":{price}{id}}}";
    }

    private async Task<HttpResponseMessage> PostAsync(string body, string contentType = "application/json", string path = OrdersPath)
    {
        using var client = host.CreateClient();
        return await client.PostAsync(path, new StringContent(body, Encoding.UTF8, contentType));
    }

    private async Task<HttpResponseMessage> PostMinimalAsync(string body)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, BatchPath)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(OrderFunctions.Http.OrderHeaders.Prefer, OrderFunctions.Http.OrderHeaders.ReturnMinimal);
        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> PostAfterAsync(string precedingClientOrderId, string body, string path)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(OrderFunctions.Http.OrderHeaders.IfOrderStored, OrderFunctions.Http.PrecedingOrder.Format(_user, precedingClientOrderId));
        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetAsync(string pathAndQuery)
    {
        using var client = host.CreateClient();
        return await client.GetAsync(pathAndQuery);
    }

    private long RowsOfThisTest()
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Orders WHERE username = $user";
        command.Parameters.AddWithValue("$user", _user);
        return (long)command.ExecuteScalar()!;
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_with_Location_and_the_stored_order()
    {
        using var response = await PostAsync(OrderJson());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await JsonAsync(response);
        var id = order.GetProperty("id").GetInt64();
        Assert.Equal($"{OrdersPath}/{id}", response.Headers.Location?.ToString());
        Assert.Equal(_user, order.GetProperty("username").GetString());
        Assert.Equal(43000.12345678m, order.GetProperty("price").GetDecimal());
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_200_Idempotent_Replayed_with_the_first_id_when_the_same_order_is_sent_again()
    {
        using var first = await PostAsync(OrderJson(clientOrderId: "c-1"));
        using var again = await PostAsync(OrderJson(clientOrderId: "c-1"));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(["true"], again.Headers.GetValues("Idempotent-Replayed"));
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetInt64(), (await JsonAsync(again)).GetProperty("id").GetInt64());
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_409_naming_the_existing_order_when_a_clientOrderId_is_reused_for_another_order()
    {
        using var first = await PostAsync(OrderJson(clientOrderId: "c-2"));
        using var other = await PostAsync(OrderJson(clientOrderId: "c-2", price: "1"));

        var problem = await ProblemAsync(other, HttpStatusCode.Conflict);
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetInt64(), problem.GetProperty("existingId").GetInt64());
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_after_the_named_order_when_If_Order_Stored_names_a_stored_order()
    {
        using var predecessor = await PostAsync(OrderJson(clientOrderId: "p-1"));

        using var one = await PostAfterAsync("p-1", OrderJson(clientOrderId: "p-2"), OrdersPath);
        using var batch = await PostAfterAsync("p-2", $"[{OrderJson(clientOrderId: "p-3")},{OrderJson(clientOrderId: "p-4")}]", BatchPath);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.Created),
            (predecessor.StatusCode, one.StatusCode, batch.StatusCode));
        var ids = new List<long> { (await JsonAsync(predecessor)).GetProperty("id").GetInt64(), (await JsonAsync(one)).GetProperty("id").GetInt64() };
        ids.AddRange((await JsonAsync(batch)).EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(4, RowsOfThisTest());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(OrdersPath)]
    [InlineData(BatchPath)]
    public async Task Post_answers_412_naming_the_order_and_stores_nothing_when_If_Order_Stored_names_an_order_never_stored(string path)
    {
        var body = path == BatchPath ? $"[{OrderJson(clientOrderId: "n-1")}]" : OrderJson(clientOrderId: "n-1");

        using var response = await PostAfterAsync("never/1", body, path);

        var problem = await ProblemAsync(response, HttpStatusCode.PreconditionFailed);
        Assert.Equal(OrderFunctions.Http.Problems.PreconditionFailedType, problem.GetProperty("type").GetString());
        Assert.Equal((_user, "never/1"), (problem.GetProperty("username").GetString(), problem.GetProperty("clientOrderId").GetString()));
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_400_naming_every_offending_field_and_stores_nothing()
    {
        var body = OrderJson(side: "hold", size: "0").Replace("\"price\"", "\"prcie\"", StringComparison.Ordinal);

        using var response = await PostAsync(body);

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("side", out _));
        Assert.True(errors.TryGetProperty("size", out _));
        Assert.True(errors.TryGetProperty("prcie", out _));
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_400_when_the_json_is_malformed()
    {
        using var response = await PostAsync("{\"timestamp\":");

        await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_413_when_one_order_is_over_64_KiB()
    {
        var body = OrderJson().Replace(_user, _user + new string('x', 70_000), StringComparison.Ordinal);

        using var response = await PostAsync(body);

        await ProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_415_when_the_body_is_form_data()
    {
        using var client = host.CreateClient();

        using var response = await client.PostAsync(OrdersPath, new FormUrlEncodedContent([new("username", _user)]));

        await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(0, RowsOfThisTest());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("br", false)] // labelled compressed, sent plain: must not be stored as if it were what the client meant
    [InlineData("gzip", true)] // really gzipped: was read as malformed JSON
    [InlineData("identity, gzip", true)]
    public async Task Post_answers_415_naming_the_coding_and_stores_nothing_when_the_body_has_a_content_encoding(string encoding, bool compress)
    {
        var json = Encoding.UTF8.GetBytes(OrderJson());
        var body = json;
        if (compress)
        {
            using var buffer = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest)) gzip.Write(json);
            body = buffer.ToArray();
        }
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.TryAddWithoutValidation("Content-Encoding", encoding);
        using var client = host.CreateClient();

        using var response = await client.PostAsync(OrdersPath, content);

        var problem = await ProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains(encoding.Split(", ")[^1], problem.GetProperty("detail").GetString());
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_when_the_content_encoding_is_identity()
    {
        var content = new StringContent(OrderJson(), Encoding.UTF8, "application/json");
        content.Headers.TryAddWithoutValidation("Content-Encoding", "identity");
        using var client = host.CreateClient();

        using var response = await client.PostAsync(OrdersPath, content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_accepts_the_seed_python_clients_payload()
    {
        // The seed's client: requests.post(url, json={...}) with str(datetime.utcnow()) and numbers as JSON numbers.
        var body = $"{{\"timestamp\": \"2026-11-27 10:15:30.123456\", \"username\": \"{_user}\", \"market\": \"{_market}\", " +
            "\"side\": \"sell\", \"size\": 2.5, \"price\": 101.25}";

        using var response = await PostAsync(body);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await JsonAsync(response);
        Assert.Equal(new DateTimeOffset(2026, 11, 27, 10, 15, 30, TimeSpan.Zero).AddTicks(1_234_560),
            order.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_201_with_the_stored_orders_in_input_order_and_no_Location()
    {
        using var response = await PostAsync($"[{OrderJson(size: "1")},{OrderJson(size: "2", price: "9999999999.99999999")}]", path: BatchPath);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Null(response.Headers.Location);
        var orders = (await JsonAsync(response)).EnumerateArray().ToArray();
        Assert.Equal([1m, 2m], orders.Select(o => o.GetProperty("size").GetDecimal()));
        Assert.Equal("9999999999.99999999", orders[1].GetProperty("price").GetRawText());
        Assert.True(orders[0].GetProperty("id").GetInt64() < orders[1].GetProperty("id").GetInt64());
        Assert.Equal(2, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_201_with_the_list_when_given_ndjson()
    {
        using var response = await PostAsync($"{OrderJson(size: "1")}\n{OrderJson(size: "2")}\n", "application/x-ndjson", BatchPath);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, (await JsonAsync(response)).GetArrayLength());
        Assert.Equal(2, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_201_with_a_list_of_one_when_given_an_array_of_one()
    {
        using var response = await PostAsync($"[{OrderJson()}]", path: BatchPath);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(JsonValueKind.Array, (await JsonAsync(response)).ValueKind);
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_400_and_stores_nothing_when_given_a_lone_object()
    {
        using var response = await PostAsync(OrderJson(), path: BatchPath);

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Equal([OrderFunctions.Http.OrderIngestion.BatchOnlyMessage], errors.GetProperty("$").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_400_naming_the_element_and_stores_none_of_it()
    {
        using var response = await PostAsync($"[{OrderJson()},{OrderJson(price: "-1")}]", path: BatchPath);

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("[1].price", out _));
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_409_with_index_and_existingId_and_stores_none_of_it_when_a_clientOrderId_is_reused()
    {
        using var first = await PostAsync(OrderJson(clientOrderId: "b-1"));
        using var batch = await PostAsync($"[{OrderJson()},{OrderJson(clientOrderId: "b-1", price: "1")}]", path: BatchPath);

        var problem = await ProblemAsync(batch, HttpStatusCode.Conflict);
        Assert.Equal(1, problem.GetProperty("index").GetInt32());
        Assert.Equal((await JsonAsync(first)).GetProperty("id").GetInt64(), problem.GetProperty("existingId").GetInt64());
        Assert.Equal(1, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_200_Idempotent_Replayed_with_the_stored_list_when_the_same_batch_is_sent_again()
    {
        var body = $"[{OrderJson(clientOrderId: "r-1")},{OrderJson(clientOrderId: "r-2", size: "2")}]";
        using var first = await PostAsync(body, path: BatchPath);
        using var again = await PostAsync(body, path: BatchPath);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal((await JsonAsync(first)).EnumerateArray().Select(o => o.GetProperty("id").GetInt64()),
            (await JsonAsync(again)).EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
        Assert.Equal(2, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_201_with_a_receipt_naming_the_first_and_last_id_when_the_request_prefers_return_minimal()
    {
        using var response = await PostMinimalAsync($"[{OrderJson(clientOrderId: "m-1")},{OrderJson(size: "2")},{OrderJson(size: "3")}]");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("return=minimal", response.Headers.GetValues("Preference-Applied").Single());
        var receipt = await JsonAsync(response);
        Assert.Equal(JsonValueKind.Object, receipt.ValueKind);
        Assert.Equal(3, receipt.GetProperty("count").GetInt32());
        Assert.Equal(3, receipt.GetProperty("created").GetInt32());
        Assert.Equal(0, receipt.GetProperty("replayed").GetInt32());
        using var first = await GetAsync($"{OrdersPath}/{receipt.GetProperty("firstId").GetInt64()}");
        using var last = await GetAsync($"{OrdersPath}/{receipt.GetProperty("lastId").GetInt64()}");
        Assert.Equal("m-1", (await JsonAsync(first)).GetProperty("clientOrderId").GetString());
        Assert.Equal(3m, (await JsonAsync(last)).GetProperty("size").GetDecimal());
        Assert.Equal(3, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_a_receipt_counting_the_replayed_orders_when_the_request_prefers_return_minimal_and_some_were_stored_before()
    {
        using var before = await PostAsync(OrderJson(clientOrderId: "p-1"));
        var body = $"[{OrderJson(clientOrderId: "p-1")},{OrderJson(clientOrderId: "p-2", size: "2")}]";
        using var mixed = await PostMinimalAsync(body);
        using var again = await PostMinimalAsync(body);

        Assert.Equal(HttpStatusCode.Created, mixed.StatusCode);
        var receipt = await JsonAsync(mixed);
        Assert.Equal((2, 1, 1), (receipt.GetProperty("count").GetInt32(), receipt.GetProperty("created").GetInt32(),
            receipt.GetProperty("replayed").GetInt32()));
        Assert.Equal((await JsonAsync(before)).GetProperty("id").GetInt64(), receipt.GetProperty("firstId").GetInt64());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal("return=minimal", again.Headers.GetValues("Preference-Applied").Single());
        var replayed = await JsonAsync(again);
        Assert.Equal((2, 0, 2), (replayed.GetProperty("count").GetInt32(), replayed.GetProperty("created").GetInt32(),
            replayed.GetProperty("replayed").GetInt32()));
        Assert.Equal(2, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Batch_answers_the_stored_list_without_Preference_Applied_when_the_request_states_no_preference()
    {
        using var response = await PostAsync($"[{OrderJson()}]", path: BatchPath);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.False(response.Headers.Contains("Preference-Applied"));
        Assert.Equal(JsonValueKind.Array, (await JsonAsync(response)).ValueKind);
    }

    // The batch forms on POST /API/orders: kept for the clients that already send them.
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_with_the_orders_in_input_order_when_given_a_json_array()
    {
        using var response = await PostAsync($"[{OrderJson(size: "1")},{OrderJson(size: "2")},{OrderJson(size: "3")}]");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var orders = (await JsonAsync(response)).EnumerateArray().ToArray();
        Assert.Equal([1m, 2m, 3m], orders.Select(o => o.GetProperty("size").GetDecimal()));
        Assert.True(orders[0].GetProperty("id").GetInt64() < orders[1].GetProperty("id").GetInt64());
        Assert.Equal(3, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_when_given_ndjson()
    {
        using var response = await PostAsync($"{OrderJson(size: "1")}\n{OrderJson(size: "2")}\n", "application/x-ndjson");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(2, (await JsonAsync(response)).GetArrayLength());
        Assert.Equal(2, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_batch_answers_400_naming_the_element_and_stores_none_of_it()
    {
        using var response = await PostAsync($"[{OrderJson()},{OrderJson(price: "-1")}]");

        var errors = (await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("[1].price", out _));
        Assert.Equal(0, RowsOfThisTest());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_returns_the_order_as_it_was_stored()
    {
        using var posted = await PostAsync(OrderJson(clientOrderId: "c-3"));
        var order = await JsonAsync(posted);

        using var response = await GetAsync($"{OrdersPath}/{order.GetProperty("id").GetInt64()}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(order.GetRawText(), (await JsonAsync(response)).GetRawText());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_Get_and_List_answer_receivedAt_with_7_fraction_digits_and_no_storedBy_while_the_API_is_open()
    {
        // Arrange: the server's clock, read on this machine around the request (microseconds, as the server keeps them).
        var before = DateTime.UtcNow.AddTicks(-10);

        // Act
        using var posted = await PostAsync(OrderJson());
        var after = DateTime.UtcNow;
        var order = await JsonAsync(posted);
        using var got = await GetAsync($"{OrdersPath}/{order.GetProperty("id").GetInt64()}");
        using var listed = await GetAsync($"{OrdersPath}?username={_user}");

        // Assert
        var text = order.GetProperty("receivedAt").GetString()!;
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$", text);
        var receivedAt = DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal);
        Assert.InRange(receivedAt, before, after);
        Assert.False(order.TryGetProperty("storedBy", out _));
        Assert.Equal(text, (await JsonAsync(got)).GetProperty("receivedAt").GetString());
        Assert.Equal(text, Assert.Single((await JsonAsync(listed)).GetProperty("items").EnumerateArray()).GetProperty("receivedAt").GetString());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task List_by_storedBy_finds_nothing_stored_while_the_API_is_open()
    {
        using var posted = await PostAsync(OrderJson());

        using var listed = await GetAsync($"{OrdersPath}?username={_user}&storedBy=desk1");

        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        Assert.Empty((await JsonAsync(listed)).GetProperty("items").EnumerateArray());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Get_answers_404_problem_when_the_order_does_not_exist()
    {
        using var response = await GetAsync($"{OrdersPath}/{long.MaxValue}");

        await ProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task List_pages_through_the_filtered_orders()
    {
        using var posted = await PostAsync($"[{OrderJson(size: "1")},{OrderJson(size: "2", side: "sell")},{OrderJson(size: "3")}]");
        var ids = (await JsonAsync(posted)).EnumerateArray().Select(o => o.GetProperty("id").GetInt64()).ToArray();

        using var first = await GetAsync($"{OrdersPath}?username={_user}&side=buy&limit=1");
        var firstPage = await JsonAsync(first);
        using var second = await GetAsync($"{OrdersPath}?username={_user}&side=buy&limit=1&after={firstPage.GetProperty("next").GetString()}");
        var secondPage = await JsonAsync(second);

        Assert.Equal(ids[0], Assert.Single(firstPage.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(ids[2], Assert.Single(secondPage.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Null, secondPage.GetProperty("next").ValueKind);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task List_answers_400_naming_a_bad_parameter()
    {
        using var response = await GetAsync($"{OrdersPath}?side=hold");

        Assert.True((await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("side", out _));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Stats_is_routed_to_the_statistics_not_to_an_order_id()
    {
        using var posted = await PostAsync($"[{OrderJson(size: "1.5", price: "42000")},{OrderJson(size: "0.2", price: "44000", side: "sell")}]");
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        using var response = await GetAsync($"{OrdersPath}/stats?market={_market}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var market = Assert.Single((await JsonAsync(response)).GetProperty("markets").EnumerateArray());
        Assert.Equal(_market, market.GetProperty("market").GetString());
        Assert.Equal(2, market.GetProperty("count").GetInt64());
        Assert.Equal(1.5m, market.GetProperty("buyVolume").GetDecimal());
        Assert.Equal(0.2m, market.GetProperty("sellVolume").GetDecimal());
        Assert.Equal(71800m, market.GetProperty("notional").GetDecimal());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Stats_with_an_interval_answers_buckets_per_market_and_minute()
    {
        using var posted = await PostAsync($"[{OrderJson(size: "1.5", price: "42000", timestamp: "2026-11-27T10:15:01Z")},"
            + $"{OrderJson(size: "0.5", price: "44000", side: "sell", timestamp: "2026-11-27T10:15:59.9999999Z")},"
            + $"{OrderJson(size: "1", price: "43000", timestamp: "2026-11-27T10:17:00Z")}]");
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);

        using var response = await GetAsync($"{OrdersPath}/stats?interval=1m&market={_market}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal("1m", body.GetProperty("interval").GetString());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("next").ValueKind);
        var buckets = body.GetProperty("buckets").EnumerateArray().ToArray();
        Assert.Equal([new DateTimeOffset(2026, 11, 27, 10, 15, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 27, 10, 17, 0, TimeSpan.Zero)],
            buckets.Select(b => b.GetProperty("start").GetDateTimeOffset()));
        Assert.Equal(2, buckets[0].GetProperty("count").GetInt64());
        Assert.Equal("85000", buckets[0].GetProperty("notional").GetRawText());
        Assert.Equal("42500", buckets[0].GetProperty("vwap").GetRawText());
        Assert.Equal("42000", buckets[0].GetProperty("firstPrice").GetRawText());
        Assert.Equal("44000", buckets[0].GetProperty("lastPrice").GetRawText());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Stats_with_an_unknown_interval_answers_400_naming_it()
    {
        using var response = await GetAsync($"{OrdersPath}/stats?interval=2m");

        Assert.True((await ProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("interval", out _));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Export_answers_a_csv_attachment_of_the_filtered_orders()
    {
        using var posted = await PostAsync($"[{OrderJson(size: "0.00000001", price: "9999999999.99999999")},{OrderJson(size: "2", side: "sell")}]");
        var ids = (await JsonAsync(posted)).EnumerateArray().Select(o => o.GetProperty("id").GetInt64()).ToArray();

        using var response = await GetAsync($"{OrdersPath}/export?format=csv&username={_user}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'), StringComparison.Ordinal);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,timestamp,username,market,side,size,price,clientOrderId", lines[0]);
        Assert.Equal($"{ids[0]},2026-11-27T10:15:30.123Z,{_user},{_market},buy,0.00000001,9999999999.99999999,", lines[1]);
        Assert.Equal($"{ids[1]},2026-11-27T10:15:30.123Z,{_user},{_market},sell,2,43000.12345678,", lines[2]);
        Assert.Equal(3, lines.Length);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Export_as_ndjson_answers_one_order_object_per_line()
    {
        using var posted = await PostAsync($"[{OrderJson(size: "1")},{OrderJson(size: "3")}]");
        var orders = (await JsonAsync(posted)).EnumerateArray().Select(o => o.GetRawText()).ToArray();

        using var response = await GetAsync($"{OrdersPath}/export?format=ndjson&username={_user}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(orders, lines.Select(l => JsonDocument.Parse(l).RootElement.GetRawText()));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Dashboard_is_served_anonymously_as_one_html_page_with_its_own_content_security_policy()
    {
        using var response = await GetAsync("/API/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self'", policy, StringComparison.Ordinal);
        Assert.Equal(OrderFunctions.Dashboard.Content.ToArray(), await response.Content.ReadAsByteArrayAsync());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Health_answers_200_healthy()
    {
        using var response = await GetAsync("/API/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", (await JsonAsync(response)).GetProperty("status").GetString());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Unknown_path_answers_404()
    {
        using var response = await GetAsync("/API/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_without_a_function_key_is_served_when_no_key_is_configured_as_under_func_start()
    {
        // Keys differ by design: the Functions host checks them only in Azure; the standalone host checks OrderApi:Keys
        // when set (Hosting/FunctionKeyTests). With none configured both serve the request.
        using var response = await PostAsync(OrderJson());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("get")]
    [InlineData("list")]
    [InlineData("replay")]
    public async Task Unexpected_failure_answers_500_problem_with_a_logged_trace_id_and_no_internals(string request)
    {
        // Arrange: a row the reader cannot parse, written behind the service's back.
        var id = InsertCorruptRow("c-corrupt");

        // Act
        using var response = request switch
        {
            "get" => await GetAsync($"{OrdersPath}/{id}"),
            "list" => await GetAsync($"{OrdersPath}?username={_user}"),
            _ => await PostAsync(OrderJson(clientOrderId: "c-corrupt")),
        };

        // Assert: never the worker's silent 200; a problem with an id to quote, found in the log with the cause.
        var body = await response.Content.ReadAsStringAsync();
        var problem = await ProblemAsync(response, HttpStatusCode.InternalServerError);
        var traceId = problem.GetProperty("traceId").GetString();
        Assert.False(string.IsNullOrEmpty(traceId));
        Assert.True(await LoggedAsync(traceId!),
            $"No log entry names traceId {traceId}:{Environment.NewLine}{string.Join(Environment.NewLine, host.Logs.Entries)}");
        Assert.DoesNotContain("FormatException", body, StringComparison.Ordinal);
        Assert.DoesNotContain("SELECT", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
    }

    private long InsertCorruptRow(string clientOrderId)
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO Orders (timestamp, username, market, side, size, price, client_order_id)
            VALUES ('not a timestamp', $user, $market, 'buy', 10000000, 4300012345678, $client);
            SELECT last_insert_rowid();
            """;
        command.Parameters.AddWithValue("$user", _user);
        command.Parameters.AddWithValue("$market", _market);
        command.Parameters.AddWithValue("$client", clientOrderId);
        return (long)command.ExecuteScalar()!;
    }

    // The worker's log arrives over its event stream, possibly just after the response: poll with a deadline.
    private async Task<bool> LoggedAsync(string traceId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (host.Logs.Entries.Any(e =>
                e.Contains(traceId, StringComparison.Ordinal) && e.Contains("Error", StringComparison.Ordinal))) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(50);
        }
    }
}
