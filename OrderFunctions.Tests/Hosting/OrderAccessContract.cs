using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support.Postgres;
using static OrderFunctions.Tests.Hosting.AccessCallers;
using static OrderFunctions.Tests.Support.ContractResponses;

namespace OrderFunctions.Tests.Hosting;

/// <summary>
/// Named callers (issue 20), written once and run on every host (one subclass per host, each configured with
/// <see cref="AccessCallers"/>): keys, operations and usernames on writes and reads, the audit trail's storedBy, and
/// idempotency per username. Each test works on usernames of its own (a fresh suffix), so tests share one host.
/// </summary>
public abstract class OrderAccessContract(IOrderApiHost host)
{
    private const string OrdersPath = "/API/orders";
    private const string BatchPath = "/" + OrderRoutes.Prefix + "/" + OrderRoutes.Batch;

    private readonly string _suffix = Guid.NewGuid().ToString("N")[..10];

    private string Desk1User => $"desk1-{_suffix}";
    private string Desk2User => $"desk2-{_suffix}";

    private static string OrderJson(string username, string? clientOrderId = null, string price = "43000.12345678")
    {
        var id = clientOrderId is null ? "" : $",\"clientOrderId\":\"{clientOrderId}\"";
        return $"{{\"timestamp\":\"2026-11-27T10:15:30.123Z\",\"username\":\"{username}\",\"market\":\"BTC-USD\",\"side\":\"buy\"," +
            $"\"size\":0.1,\"price\":{price}{id}}}";
    }

    private async Task<HttpResponseMessage> PostAsync(string? key, string body, string path = OrdersPath, string contentType = "application/json")
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (key is not null) request.Headers.Add(OrderHeaders.ApiKey, key);
        return await client.SendAsync(request);
    }

    private async Task<HttpResponseMessage> GetAsync(string? key, string pathAndQuery)
    {
        using var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        if (key is not null) request.Headers.Add(OrderHeaders.ApiKey, key);
        return await client.SendAsync(request);
    }

    /// <summary>How many rows the host's store holds for these usernames, read on the test's own connection.</summary>
    protected virtual Task<long> RowsAsync(params string[] usernames) => Task.FromResult(SqliteRows(usernames));

    private long SqliteRows(string[] usernames)
    {
        using var connection = new SqliteConnection($"Data Source={host.DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM Orders WHERE username IN ({string.Join(",", usernames.Select((_, i) => $"$u{i}"))})";
        for (var i = 0; i < usernames.Length; i++) command.Parameters.AddWithValue($"$u{i}", usernames[i]);
        return (long)command.ExecuteScalar()!;
    }

    private static IEnumerable<string> Usernames(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(o => o.GetProperty("username").GetString()!);

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData(null)]
    [InlineData("not-a-key")]
    public async Task Post_answers_401_and_writes_nothing_without_a_callers_key(string? key)
    {
        using var response = await PostAsync(key, OrderJson(Desk1User));

        await ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal(0, await RowsAsync(Desk1User));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_201_with_storedBy_for_either_key_of_a_caller_whose_key_is_being_rotated()
    {
        using var byOld = await PostAsync(Desk1OldKey, OrderJson(Desk1User));
        using var byNew = await PostAsync(Desk1Key, OrderJson(Desk1User));

        Assert.Equal(HttpStatusCode.Created, byOld.StatusCode);
        Assert.Equal(HttpStatusCode.Created, byNew.StatusCode);
        Assert.Equal("desk1", (await JsonAsync(byOld)).GetProperty("storedBy").GetString());
        Assert.Equal("desk1", (await JsonAsync(byNew)).GetProperty("storedBy").GetString());
        Assert.Equal(2, await RowsAsync(Desk1User));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_403_naming_username_when_the_order_is_for_another_desks_user()
    {
        using var response = await PostAsync(Desk1Key, OrderJson(Desk2User));

        var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.Equal(["username"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await RowsAsync(Desk2User));
    }

    [StoreTheory(Timeout = TestTimeouts.Server)]
    [InlineData("application/json")]
    [InlineData("application/x-ndjson")]
    public async Task Batch_answers_403_naming_the_one_foreign_username_and_writes_nothing_of_it(string contentType)
    {
        var orders = new[] { OrderJson(Desk1User), OrderJson(Desk1User), OrderJson(Desk2User) };
        var body = contentType == "application/json" ? $"[{string.Join(",", orders)}]" : string.Join("\n", orders);

        using var batch = await PostAsync(Desk1Key, body, BatchPath, contentType);
        using var legacy = await PostAsync(Desk1Key, body, OrdersPath, contentType);

        foreach (var response in new[] { batch, legacy })
        {
            var problem = await ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.Equal(["[2].username"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        }
        Assert.Equal(0, await RowsAsync(Desk1User, Desk2User));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Post_answers_403_for_a_read_only_caller_and_reads_answer_403_for_a_write_only_caller()
    {
        using var post = await PostAsync(AuditorKey, OrderJson(Desk1User));
        using var list = await GetAsync(BackupKey, $"{OrdersPath}?username={Desk1User}");
        using var stats = await GetAsync(BackupKey, $"{OrdersPath}/stats");
        using var one = await GetAsync(BackupKey, $"{OrdersPath}/1");
        using var export = await GetAsync(BackupKey, $"{OrdersPath}/export");

        await ProblemAsync(post, HttpStatusCode.Forbidden);
        foreach (var read in new[] { list, stats, one, export }) await ProblemAsync(read, HttpStatusCode.Forbidden);
        Assert.Equal(0, await RowsAsync(Desk1User));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Get_answers_404_for_another_desks_order_exactly_as_for_a_missing_one()
    {
        using var posted = await PostAsync(Desk2Key, OrderJson(Desk2User));
        var id = (await JsonAsync(posted)).GetProperty("id").GetInt64();

        using var foreign = await GetAsync(Desk1Key, $"{OrdersPath}/{id}");
        using var missing = await GetAsync(Desk1Key, $"{OrdersPath}/{long.MaxValue}");
        using var own = await GetAsync(Desk2Key, $"{OrdersPath}/{id}");
        using var audited = await GetAsync(AuditorKey, $"{OrdersPath}/{id}");

        var foreignProblem = await ProblemAsync(foreign, HttpStatusCode.NotFound);
        var missingProblem = await ProblemAsync(missing, HttpStatusCode.NotFound);
        Assert.Equal(missingProblem.GetProperty("title").GetString(), foreignProblem.GetProperty("title").GetString());
        Assert.Equal($"There is no order with id {id}.", foreignProblem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.OK, audited.StatusCode);
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task List_and_stats_return_only_the_callers_usernames_and_answer_403_for_a_filter_outside_them()
    {
        // Arrange: a market of this test's own, orders of both desks in it.
        var market = "M" + _suffix.ToUpperInvariant();
        string InMarket(string username) => OrderJson(username).Replace("BTC-USD", market, StringComparison.Ordinal);
        using (var one = await PostAsync(Desk1Key, $"[{InMarket(Desk1User)},{InMarket(Desk1User)}]", BatchPath))
        {
            Assert.Equal(HttpStatusCode.Created, one.StatusCode);
        }
        using (var two = await PostAsync(Desk2Key, InMarket(Desk2User))) Assert.Equal(HttpStatusCode.Created, two.StatusCode);

        // Act
        using var mine = await GetAsync(Desk1Key, $"{OrdersPath}?market={market}");
        using var all = await GetAsync(AuditorKey, $"{OrdersPath}?market={market}");
        using var foreign = await GetAsync(Desk1Key, $"{OrdersPath}?username={Desk2User}");
        using var myStats = await GetAsync(Desk1Key, $"{OrdersPath}/stats?market={market}");
        using var foreignStats = await GetAsync(Desk1Key, $"{OrdersPath}/stats?username={Desk2User}");
        using var overTime = await GetAsync(Desk1Key, $"{OrdersPath}/stats?market={market}&interval=1d");

        // Assert
        Assert.Equal([Desk1User, Desk1User], Usernames(await JsonAsync(mine)));
        Assert.Equal([Desk1User, Desk1User, Desk2User], Usernames(await JsonAsync(all)));
        var problem = await ProblemAsync(foreign, HttpStatusCode.Forbidden);
        Assert.Equal(["username"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(2, Assert.Single((await JsonAsync(myStats)).GetProperty("markets").EnumerateArray()).GetProperty("count").GetInt64());
        await ProblemAsync(foreignStats, HttpStatusCode.Forbidden);
        Assert.Equal(2, Assert.Single((await JsonAsync(overTime)).GetProperty("buckets").EnumerateArray()).GetProperty("count").GetInt64());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task List_by_storedBy_returns_the_orders_each_caller_stored()
    {
        using (var first = await PostAsync(Desk1Key, OrderJson(Desk1User))) Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using (var second = await PostAsync(BackupKey, OrderJson(Desk1User))) Assert.Equal(HttpStatusCode.Created, second.StatusCode);

        using var byBackup = await GetAsync(AuditorKey, $"{OrdersPath}?username={Desk1User}&storedBy=desk1-backup");

        var item = Assert.Single((await JsonAsync(byBackup)).GetProperty("items").EnumerateArray());
        Assert.Equal("desk1-backup", item.GetProperty("storedBy").GetString());
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Replay_answers_200_for_an_allowed_caller_and_403_without_the_stored_order_for_another()
    {
        using var created = await PostAsync(Desk1Key, OrderJson(Desk1User, clientOrderId: "c-1"));
        using var replayed = await PostAsync(BackupKey, OrderJson(Desk1User, clientOrderId: "c-1"));
        using var foreign = await PostAsync(Desk2Key, OrderJson(Desk1User, clientOrderId: "c-1"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replayed.StatusCode);
        var first = await JsonAsync(created);
        Assert.Equal(first.GetRawText(), (await JsonAsync(replayed)).GetRawText()); // the first storedBy and receivedAt
        var problem = await ProblemAsync(foreign, HttpStatusCode.Forbidden);
        Assert.False(problem.TryGetProperty("existingId", out _));
        Assert.DoesNotContain(first.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            problem.GetProperty("detail").GetString()!, StringComparison.Ordinal);
        Assert.Equal(1, await RowsAsync(Desk1User));
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Health_and_the_OpenAPI_document_need_no_callers_key()
    {
        using var health = await GetAsync(null, "/API/health");
        using var document = await GetAsync(null, "/API/openapi.json");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }
}
