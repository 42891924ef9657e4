using System.Net;
using System.Text;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;


using OrderFunctions.Tests.Storage;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>A clientOrderId makes a retry harmless: same content replays, different content conflicts, races store once.</summary>
public sealed class IdempotentSubmissionTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_replays_original_order_with_200_and_header_and_writes_nothing_when_same_order_is_resent()
    {
        // Arrange
        await using var api = new StandaloneApplication();
        var first = await api.PostAsync(TestOrders.Json(clientOrderId: "retry-1"));

        // Act
        var second = await api.PostAsync(TestOrders.Json(clientOrderId: "retry-1"));

        // Assert
        Assert.Equal(201, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("true", second.Header(CreateOrder.ReplayedHeader));
        Assert.Null(first.Header(CreateOrder.ReplayedHeader));
        Assert.Equal(first.Json.GetProperty("id").GetInt64(), second.Json.GetProperty("id").GetInt64());
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_replays_when_resent_content_differs_only_in_spelling()
    {
        await using var api = new StandaloneApplication();
        var first = await api.PostAsync(TestOrders.Json(clientOrderId: "retry-2", side: "buy", price: "43000.10"));

        var second = await api.PostAsync(TestOrders.Json(clientOrderId: "retry-2", side: "BUY", price: "\"43000.1\"",
            timestamp: "2026-11-27 11:15:30.123+01:00"));

        Assert.Equal(200, second.Status);
        Assert.Equal(first.Json.GetProperty("id").GetInt64(), second.Json.GetProperty("id").GetInt64());
        Assert.Equal(1, api.CountRows());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("price", "43000.5")]
    [InlineData("side", "sell")]
    [InlineData("market", "ETH-USD")]
    [InlineData("timestamp", "2026-11-27T10:15:31Z")]
    public async Task Run_returns_409_problem_and_writes_nothing_when_client_order_id_is_reused_for_different_content(string field, string value)
    {
        // Arrange
        await using var api = new StandaloneApplication();
        var first = await api.PostAsync(TestOrders.Json(clientOrderId: "reused"));
        var changed = field switch
        {
            "price" => TestOrders.Json(clientOrderId: "reused", price: value),
            "side" => TestOrders.Json(clientOrderId: "reused", side: value),
            "market" => TestOrders.Json(clientOrderId: "reused", market: value),
            _ => TestOrders.Json(clientOrderId: "reused", timestamp: value),
        };

        // Act
        var second = await api.PostAsync(changed);

        // Assert
        Assert.Equal(409, second.Status);
        Assert.Equal("application/problem+json", second.ContentType);
        Assert.Equal(409, second.Json.GetProperty("status").GetInt32());
        Assert.Contains("reused", second.Json.GetProperty("detail").GetString());
        Assert.Equal(first.Json.GetProperty("id").GetInt64(), second.Json.GetProperty("existingId").GetInt64());
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_stores_both_when_two_users_use_the_same_client_order_id()
    {
        await using var api = new StandaloneApplication();

        var alice = await api.PostAsync(TestOrders.Json(username: "alice", clientOrderId: "shared"));
        var bob = await api.PostAsync(TestOrders.Json(username: "bob", clientOrderId: "shared"));

        Assert.Equal(201, alice.Status);
        Assert.Equal(201, bob.Status);
        Assert.Equal(2, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_replays_each_users_own_order_when_two_users_resend_the_same_client_order_id_over_http()
    {
        // Arrange: alice and bob each store a different order under the same clientOrderId.
        await using var host = new StandaloneApplication();
        Task<ApiResponse> Post(string body) => host.PostAsync(body);
        var aliceOrder = TestOrders.Json(username: "alice", clientOrderId: "shared-1", price: "100");
        var bobOrder = TestOrders.Json(username: "bob", clientOrderId: "shared-1", price: "200");
        var alice = await Post(aliceOrder);
        var bob = await Post(bobOrder);

        // Act: both resend.
        var bobAgain = await Post(bobOrder);
        var aliceAgain = await Post(aliceOrder);

        // Assert: each gets a 200 replay of their own order, not a 409 citing the other's.
        Assert.Equal([201, 201], new[] { alice.Status, bob.Status });
        Assert.Equal(200, bobAgain.Status);
        Assert.Equal("true", bobAgain.Header(CreateOrder.ReplayedHeader));
        Assert.Equal(bob.Json.GetProperty("id").GetInt64(), bobAgain.Json.GetProperty("id").GetInt64());
        Assert.Equal("bob", bobAgain.Json.GetProperty("username").GetString());
        Assert.Equal(200, aliceAgain.Status);
        Assert.Equal(alice.Json.GetProperty("id").GetInt64(), aliceAgain.Json.GetProperty("id").GetInt64());
        Assert.Equal(2, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_stores_one_row_per_pair_when_identical_submissions_race()
    {
        // Arrange
        const int pairs = 500;
        await using var api = new StandaloneApplication();
        var repository = api.Repository;
        using var start = new ManualResetEventSlim();

        // Act: both halves of every pair wait on one gate, then all go at once.
        var tasks = Enumerable.Range(0, pairs).SelectMany(i => new[] { Submit(i), Submit(i) }).ToArray();
        start.Set();
        var results = await Task.WhenAll(tasks);

        // Assert
        for (var i = 0; i < pairs; i++)
        {
            var (a, b) = (results[2 * i], results[2 * i + 1]);
            Assert.Equal(a.Order.Id, b.Order.Id);
            Assert.Equal([SaveOutcome.Created, SaveOutcome.Replayed], new[] { a.Outcome, b.Outcome }.Order());
        }
        Assert.Equal(pairs, api.CountRows());
        Assert.All(api.Store.ClientOrderIdCounts().Values, count => Assert.Equal(1, count));

        Task<SaveResult> Submit(int i) => Task.Run(() =>
        {
            start.Wait();
            return repository.AddAsync(TestOrders.Order(username: $"trader-{i % 7}", clientOrderId: $"race-{i}"));
        });
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Post_stores_one_row_per_pair_when_identical_submissions_race_over_http()
    {
        // Arrange
        const int pairs = 200;
        await using var host = await StandaloneApplication.StartAsync();
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        // Act
        var tasks = Enumerable.Range(0, pairs)
            .SelectMany(i => Enumerable.Repeat(TestOrders.Json(username: $"trader-{i % 5}", clientOrderId: $"http-race-{i}"), 2))
            .Select(async body =>
            {
                using var response = await client.PostAsync(host.OrdersUrl, new StringContent(body, Encoding.UTF8, "application/json"));
                return await ApiResponse.ReadAsync(response);
            })
            .ToArray();
        var responses = await Task.WhenAll(tasks);

        // Assert: per pair one 201 and one replayed 200, carrying the same id.
        for (var i = 0; i < pairs; i++)
        {
            var (a, b) = (responses[2 * i], responses[2 * i + 1]);
            Assert.Equal([200, 201], new[] { a.Status, b.Status }.Order());
            Assert.Equal("true", (a.Status == 200 ? a : b).Header(CreateOrder.ReplayedHeader));
            Assert.Equal(a.Json.GetProperty("id").GetInt64(), b.Json.GetProperty("id").GetInt64());
        }
        Assert.Equal(pairs, host.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_409_naming_index_and_writes_nothing_of_batch_when_one_element_conflicts()
    {
        // Arrange: an order stored first, then a batch whose third element reuses its id with another price, sent
        // while single orders flow through the same writer (and so through the same transactions).
        await using var api = new StandaloneApplication();
        Assert.Equal(201, (await api.PostAsync(TestOrders.Json(clientOrderId: "taken"))).Status);
        var batch = $"[{TestOrders.Json(clientOrderId: "new-1")},{TestOrders.Json(clientOrderId: "new-2")}," +
            $"{TestOrders.Json(clientOrderId: "taken", price: "1.5")},{TestOrders.Json(clientOrderId: "new-3")}]";

        // Act
        var others = Enumerable.Range(0, 100)
            .Select(i => Task.Run(() => api.PostAsync(TestOrders.Json(username: "bystander", clientOrderId: $"other-{i}")))).ToArray();
        var conflicted = await api.PostAsync(batch);
        var bystanders = await Task.WhenAll(others);

        // Assert
        Assert.Equal(409, conflicted.Status);
        Assert.Equal("application/problem+json", conflicted.ContentType);
        Assert.Equal(2, conflicted.Json.GetProperty("index").GetInt32());
        Assert.StartsWith("Order [2]:", conflicted.Json.GetProperty("detail").GetString());
        Assert.All(bystanders, response => Assert.Equal(201, response.Status));
        var stored = api.Store.ClientOrderIdCounts();
        Assert.DoesNotContain("new-1", stored.Keys);
        Assert.DoesNotContain("new-2", stored.Keys);
        Assert.DoesNotContain("new-3", stored.Keys);
        Assert.Equal(101, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_returns_400_naming_element_when_batch_repeats_client_order_id_for_different_order()
    {
        await using var api = new StandaloneApplication();
        var batch = $"[{TestOrders.Json(clientOrderId: "twice")},{TestOrders.Json(clientOrderId: "other")}," +
            $"{TestOrders.Json(clientOrderId: "twice", price: "2")}]";

        var response = await api.PostAsync(batch);

        Assert.Equal(400, response.Status);
        Assert.Equal("is also used by [0] for a different order",
            response.Json.GetProperty("errors").GetProperty("[2].clientOrderId")[0].GetString());
        Assert.Equal(0, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_names_only_the_invalid_element_when_a_batch_with_an_invalid_order_also_repeats_a_client_order_id()
    {
        // The repeat check runs on a fully valid batch only: with [0] refused, the valid orders' positions are not the
        // request's, so a repeat found among them would be reported at the wrong index.
        await using var api = new StandaloneApplication();
        var batch = $"[{TestOrders.Json(price: "-1")},{TestOrders.Json(clientOrderId: "twice")}," +
            $"{TestOrders.Json(clientOrderId: "twice", price: "2")}]";

        var response = await api.PostAsync(batch);

        Assert.Equal(400, response.Status);
        Assert.Equal(["[0].price"], response.ErrorKeys);
        Assert.Equal(0, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_stores_one_row_when_batch_repeats_the_same_order()
    {
        await using var api = new StandaloneApplication();
        var batch = $"[{TestOrders.Json(clientOrderId: "twice")},{TestOrders.Json(clientOrderId: "twice")}]";

        var response = await api.PostAsync(batch);

        Assert.Equal(201, response.Status);
        Assert.Equal(response.Json[0].GetProperty("id").GetInt64(), response.Json[1].GetProperty("id").GetInt64());
        Assert.Equal(1, api.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Run_stores_batch_with_201_then_replays_it_with_200_when_resent()
    {
        await using var api = new StandaloneApplication();
        var batch = $"[{TestOrders.Json(clientOrderId: "b-1")},{TestOrders.Json(clientOrderId: "b-2")}]";

        var first = await api.PostAsync(batch);
        var second = await api.PostAsync(batch);

        Assert.Equal(201, first.Status);
        Assert.Equal(200, second.Status);
        Assert.Equal("true", second.Header(CreateOrder.ReplayedHeader));
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(2, api.CountRows());
    }
}
