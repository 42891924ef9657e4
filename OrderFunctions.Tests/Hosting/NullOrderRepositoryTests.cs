using OrderFunctions.Orders;
using OrderFunctions.Standalone.Benchmarking;
using OrderFunctions.Storage;

using OrderFunctions.Tests.Ingestion;
namespace OrderFunctions.Tests.Hosting;

public sealed class NullOrderRepositoryTests
{
    private static readonly Order Sample = new(
        new DateTime(2026, 11, 27, 10, 15, 30, DateTimeKind.Utc), "alice", "BTC-USD", "buy", 0.1m, 43000.12345678m);

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddAsync_returns_created_with_increasing_ids_when_called_repeatedly()
    {
        var repository = new NullOrderRepository();

        var first = await repository.AddAsync(Sample);
        var second = await repository.AddAsync(Sample with { Username = "bob" });

        Assert.Equal(SaveOutcome.Created, first.Outcome);
        Assert.Equal(1, first.Order.Id);
        Assert.Equal(2, second.Order.Id);
        Assert.Equal("bob", second.Order.Username);
        Assert.Equal(Sample.Price, first.Order.Price);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task AddManyAsync_returns_consecutive_ids_in_input_order_when_given_a_batch()
    {
        var repository = new NullOrderRepository();
        await repository.AddAsync(Sample);
        var batch = Enumerable.Range(0, 3).Select(i => Sample with { Username = $"user{i}" }).ToList();

        var results = await repository.AddManyAsync(batch);

        Assert.Equal([2L, 3L, 4L], results.Select(r => r.Order.Id));
        Assert.Equal(["user0", "user1", "user2"], results.Select(r => r.Order.Username));
        Assert.All(results, r => Assert.Equal(SaveOutcome.Created, r.Outcome));
    }
}
