using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Standalone.Benchmarking;

/// <summary>
/// A repository that writes nothing and answers Created with increasing ids: the HTTP ceiling for benchmarks
/// (parsing, validation, JSON and routing of the very same host, minus the store). Never for real use.
/// </summary>
public sealed class NullOrderRepository : IOrderRepository
{
    /// <summary>The configuration key that swaps this repository in (env <c>Benchmark__NullStore=true</c>).</summary>
    public const string ConfigurationKey = "Benchmark:NullStore";

    private long _lastId;

    public Task<SaveResult> AddAsync(Order order, CancellationToken cancellationToken = default) =>
        Task.FromResult(Created(Interlocked.Increment(ref _lastId), order));

    public Task<IReadOnlyList<SaveResult>> AddManyAsync(IReadOnlyList<Order> orders, CancellationToken cancellationToken = default)
    {
        // One atomic step reserves the whole range, so concurrent batches keep contiguous, input-ordered ids.
        var first = Interlocked.Add(ref _lastId, orders.Count) - orders.Count + 1;
        var results = new SaveResult[orders.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Created(first + i, orders[i]);
        }
        return Task.FromResult<IReadOnlyList<SaveResult>>(results);
    }

    private static SaveResult Created(long id, Order order) => new(SaveOutcome.Created, StoredOrder.From(id, order));
}
