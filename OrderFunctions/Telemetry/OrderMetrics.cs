using System.Diagnostics.Metrics;

namespace OrderFunctions.Telemetry;

/// <summary>
/// The app's instruments on the "OrderFunctions" meter, created through <see cref="IMeterFactory"/> so each service
/// provider (each host, each test) has its own. Recording costs next to nothing while no listener is attached.
/// </summary>
public sealed class OrderMetrics
{
    public const string Stored = "orders.stored";
    public const string Replayed = "orders.replayed";
    public const string Rejected = "orders.rejected";
    public const string CommitOrders = "orders.commit.orders";
    public const string CommitDuration = "orders.commit.duration";
    public const string WriteQueueDepth = "orders.write_queue.depth";
    public const string WriteQueueOrders = "orders.write_queue.orders";
    public const string ReasonTag = "reason";

    private static readonly KeyValuePair<string, object?>[] ReasonTags =
    [
        new(ReasonTag, "validation"),
        new(ReasonTag, "conflict"),
        new(ReasonTag, "too_large"),
        new(ReasonTag, "unavailable"),
        new(ReasonTag, "forbidden"),
        new(ReasonTag, "precondition_failed"),
    ];

    private readonly Meter _meter;
    private readonly Counter<long> _stored;
    private readonly Counter<long> _replayed;
    private readonly Counter<long> _rejected;
    private readonly Histogram<int> _commitOrders;
    private readonly Histogram<double> _commitDuration;

    public OrderMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(OrderTelemetry.Name);
        _stored = _meter.CreateCounter<long>(Stored, "{order}", "Orders written (a 201): new rows on disk.");
        _replayed = _meter.CreateCounter<long>(Replayed, "{order}",
            "Orders answered from an earlier write of the same clientOrderId (a 200 with Idempotent-Replayed).");
        _rejected = _meter.CreateCounter<long>(Rejected, "{request}",
            "Requests refused, by reason (validation, conflict, too_large, unavailable); a batch counts once.");
        _commitOrders = _meter.CreateHistogram(CommitOrders, "{order}", "Orders per commit of the write queue.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000] });
        _commitDuration = _meter.CreateHistogram(CommitDuration, "s", "Time from the start of a transaction to its commit (or failure).",
            advice: new InstrumentAdvice<double>
            {
                HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
            });
    }

    public void OrdersStored(int count)
    {
        if (count > 0) _stored.Add(count);
    }

    public void OrdersReplayed(int count)
    {
        if (count > 0) _replayed.Add(count);
    }

    public void RequestRejected(RejectReason reason) => _rejected.Add(1, ReasonTags[(int)reason]);

    /// <summary>One commit (or failed transaction) of <paramref name="orders"/> orders.</summary>
    public void Committed(int orders, TimeSpan duration)
    {
        _commitOrders.Record(orders);
        _commitDuration.Record(duration.TotalSeconds);
    }

    /// <summary>
    /// Reports <paramref name="depth"/> (requests waiting for the writer) and <paramref name="orders"/> (orders accepted
    /// and not yet answered, against OrderStorage:MaxQueuedOrders) whenever the gauges are read.
    /// </summary>
    public void ObserveWriteQueue(Func<int> depth, Func<int> orders)
    {
        _meter.CreateObservableGauge(WriteQueueDepth, depth, "{request}", "Requests waiting in the write queue.");
        _meter.CreateObservableGauge(WriteQueueOrders, orders, "{order}",
            "Orders accepted and not yet answered (queued or being committed), bounded by OrderStorage:MaxQueuedOrders.");
    }
}
