using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// The app's own <see cref="IOrderQueries"/> (the engine's), watched: <see cref="Lookups"/> counts the lookups of
/// <see cref="IsStoredAsync"/>, <see cref="Missed"/> completes the first time one answers false (a request is waiting
/// for the order it names), and
/// <see cref="Failure"/>, when set, is what every lookup throws instead (a store that cannot be read);
/// <see cref="BeforeLookup"/>, when set, runs inside each lookup before the engine is asked (to hold a lookup mid-way).
/// </summary>
public sealed class WatchedOrderQueries(IOrderQueries inner) : IOrderQueries
{
    private readonly TaskCompletionSource _missed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _lookups;

    /// <summary>How many times <see cref="IsStoredAsync"/> was asked.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    public Task Missed => _missed.Task;

    public Exception? Failure { get; set; }

    public Func<Task>? BeforeLookup { get; set; }

    /// <summary>Registers the engine's queries wrapped in a <see cref="WatchedOrderQueries"/>, resolvable as both.</summary>
    public static void Install(IServiceCollection services)
    {
        var engine = services.Last(d => d.ServiceType == typeof(IOrderQueries));
        services.AddSingleton(sp => new WatchedOrderQueries(engine.ImplementationFactory is { } create
            ? (IOrderQueries)create(sp)
            : (IOrderQueries)ActivatorUtilities.CreateInstance(sp, engine.ImplementationType!)));
        services.Replace(ServiceDescriptor.Singleton<IOrderQueries>(sp => sp.GetRequiredService<WatchedOrderQueries>()));
    }

    public async Task<bool> IsStoredAsync(string username, string clientOrderId, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lookups);
        if (Failure is { } failure) throw failure;
        if (BeforeLookup is { } before) await before();
        var stored = await inner.IsStoredAsync(username, clientOrderId, cancellationToken);
        if (!stored) _missed.TrySetResult();
        return stored;
    }

    public Task<StoredOrder?> FindAsync(long id, CancellationToken cancellationToken = default) => inner.FindAsync(id, cancellationToken);

    public Task<IReadOnlyList<StoredOrder>> ListAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        inner.ListAsync(filter, afterId, count, cancellationToken);

    public Task<OrderSlice> ListSliceAsync(OrderFilter filter, long afterId, int count, CancellationToken cancellationToken = default) =>
        inner.ListSliceAsync(filter, afterId, count, cancellationToken);

    public Task<IReadOnlyList<MarketStats>> StatsAsync(OrderFilter filter, string? afterMarket, int count,
        CancellationToken cancellationToken = default) => inner.StatsAsync(filter, afterMarket, count, cancellationToken);
}
