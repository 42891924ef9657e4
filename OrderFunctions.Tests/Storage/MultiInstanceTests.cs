using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using OrderFunctions.Tests.Client;
using OrderFunctions.Tests.Hosting;
using OrderFunctions.Tests.Support;
using OrderFunctions.Tests.Support.Postgres;
using Xunit.Abstractions;

using OrderFunctions.Tests.Ingestion;
using OrderFunctions.Tests.Storage.Postgres;
using OrderFunctions.Tests.Storage.Sqlite;
namespace OrderFunctions.Tests.Storage;

/// <summary>
/// Several standalone host processes on one PostgreSQL database, as a scaled-out function app: every order stored once,
/// the same (username, clientOrderId) raced on two hosts at once stored once, ids unique, listings complete on any host.
/// </summary>
[RequiresPostgres]
public sealed class MultiInstanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Hosts = 2;
    private const int Clients = 8;
    private const int OrdersPerClient = 100;
    private const int Pairs = 200;

    private TestStore _store = null!;
    private readonly List<StandaloneHost> _hosts = [];

    public async Task InitializeAsync()
    {
        _store = await TestStore.CreateAsync(StoreEngine.Postgres);
        for (var i = 0; i < Hosts; i++) _hosts.Add(await StandaloneHost.StartAsync(environment: _store.Environment));
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _store.DisposeAsync();
    }

    [StoreFact(Timeout = TestTimeouts.Server)]
    public async Task Hosts_on_one_database_store_each_order_once_when_clients_and_racing_pairs_post_through_all_of_them()
    {
        // Arrange
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var statuses = new ConcurrentBag<(string Kind, int Status, long? Id, string? ClientOrderId)>();
        async Task Post(StandaloneHost host, string kind, string body, string? clientOrderId)
        {
            using var response = await http.PostAsync(host.OrdersUrl, new StringContent(body, Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            long? id = response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict
                && JsonDocument.Parse(text).RootElement.TryGetProperty("id", out var idElement) ? idElement.GetInt64() : null;
            statuses.Add((kind, (int)response.StatusCode, id, clientOrderId));
        }

        // Act: clients post distinct orders through every host in turn, while each pair posts one (username,
        // clientOrderId) to two hosts at the same moment: even pairs the same order twice, odd pairs two different ones.
        var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
        {
            for (var i = 0; i < OrdersPerClient; i++)
            {
                var clientOrderId = $"client{c}-{i}";
                await Post(_hosts[(c + i) % Hosts], "plain", TestOrders.Json(username: $"user{c}", clientOrderId: clientOrderId), clientOrderId);
            }
        }));
        var pairs = Enumerable.Range(0, Pairs).Select(p => Task.Run(async () =>
        {
            var clientOrderId = $"pair-{p}";
            var first = TestOrders.Json(username: $"racer{p % 10}", clientOrderId: clientOrderId, size: "1");
            var second = TestOrders.Json(username: $"racer{p % 10}", clientOrderId: clientOrderId, size: p % 2 == 0 ? "1" : "2");
            // An async barrier: both sides start together without blocking a thread-pool thread each (400 blocked
            // threads starved the pool on two cores until the test timed out).
            var ready = 0;
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            async Task Side(StandaloneHost host, string body)
            {
                if (Interlocked.Increment(ref ready) == 2) go.SetResult();
                await go.Task;
                await Post(host, p % 2 == 0 ? "same" : "different", body, clientOrderId);
            }
            await Task.WhenAll(Task.Run(() => Side(_hosts[0], first)), Task.Run(() => Side(_hosts[1], second)));
        }));
        await Task.WhenAll(clients.Concat(pairs));

        // Assert
        var answers = statuses.ToArray();
        var byStatus = answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}");
        var rows = await _store.CountRowsAsync();
        output.WriteLine(
            $"hosts {Hosts}, clients {Clients} x {OrdersPerClient} orders, pairs raced {Pairs}, rows {rows}, answers {string.Join(", ", byStatus)}");

        Assert.DoesNotContain(answers, a => a.Status >= 500);
        Assert.Equal(Clients * OrdersPerClient + Pairs, rows);
        Assert.All(await _store.ClientOrderIdCountsAsync(), count => Assert.Equal(1, count.Value));
        Assert.All(answers.Where(a => a.Kind == "plain"), a => Assert.Equal(201, a.Status));
        foreach (var pair in answers.Where(a => a.Kind != "plain").GroupBy(a => a.ClientOrderId))
        {
            var expected = pair.First().Kind == "same" ? new[] { 200, 201 } : [201, 409];
            Assert.Equal(expected, pair.Select(a => a.Status).Order());
            if (pair.First().Kind == "same") Assert.Single(pair.Select(a => a.Id).Distinct()); // the replay names the stored order
        }
        var createdIds = answers.Where(a => a.Status == 201).Select(a => a.Id!.Value).ToArray();
        Assert.Equal(createdIds.Length, createdIds.Distinct().Count());
        foreach (var host in _hosts)
        {
            var listed = await ListAllAsync(http, host);
            Assert.Equal(createdIds.Order(), listed);
        }
    }

    // Every page of the keyset listing through one host, following next until it is null.
    private static async Task<long[]> ListAllAsync(HttpClient http, StandaloneHost host)
    {
        var ids = new List<long>();
        string? after = null;
        do
        {
            var url = new Uri(host.BaseAddress, $"/API/orders?limit=1000{(after is null ? "" : $"&after={after}")}");
            using var page = JsonDocument.Parse(await http.GetStringAsync(url));
            ids.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
            after = page.RootElement.GetProperty("next").GetString();
        }
        while (after is not null);
        return [.. ids];
    }
}
