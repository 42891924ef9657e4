namespace OrderFunctions.Storage;

/// <summary>
/// Which engine holds the orders and how the write queue in front of it behaves, bound from the <c>OrderStorage</c>
/// section. Each engine binds its own knobs from the same section (<c>SqliteOrderStoreOptions</c>,
/// <c>PostgresOrderStoreOptions</c>), so every key keeps its name.
/// </summary>
public sealed class OrderStorageOptions
{
    public const string SectionName = "OrderStorage";

    /// <summary>The engine, by the name it registered (<see cref="OrderStoreEngine.Name"/>); null: the first registered.</summary>
    public string? Provider { get; set; }

    /// <summary>Requests waiting for the writer before new ones are answered 503.</summary>
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>
    /// Orders accepted and not yet answered (queued, or in the commit under way) before new requests are answered 503:
    /// what bounds the queue's memory, since one request may carry up to 10,000 orders. A request larger than the whole
    /// budget is still taken when nothing else is queued.
    /// </summary>
    public int MaxQueuedOrders { get; set; } = DefaultMaxQueuedOrders;

    /// <summary>
    /// Two transactions' worth at the default <see cref="MaxOrdersPerTransaction"/>: while one commits, the next is
    /// waiting whole, so the writer never idles; more only holds memory (measured with benchmarks/flood.sh).
    /// </summary>
    public const int DefaultMaxQueuedOrders = 40_000;

    /// <summary>
    /// Bytes of request bodies held in memory at once while they are read and parsed, before their orders reach the
    /// queue; beyond it a POST is answered 503 without its body being read. A body larger than the whole budget is
    /// still read when no other body is held.
    /// </summary>
    public long MaxBufferedRequestBytes { get; set; } = DefaultMaxBufferedRequestBytes;

    /// <summary>
    /// 16 MiB: eight bodies of 10,000 typical orders (a 2 MiB buffer each), two of the largest (an 8 MiB buffer for a
    /// body near 4 MiB), more than two cores parse at a time.
    /// </summary>
    public const long DefaultMaxBufferedRequestBytes = 16L * 1024 * 1024;

    /// <summary>Most orders one transaction takes; a single request larger than this still commits whole.</summary>
    public int MaxOrdersPerTransaction { get; set; } = 20_000;

    /// <summary>Which thread commits: the writer thread (the default) or, experimentally, the first waiting request.</summary>
    public OrderCommitMode CommitMode { get; set; }

    /// <summary>
    /// How long a POST with <c>If-Order-Stored</c> waits for the order it names to be stored before it is answered 412
    /// Precondition Failed (nothing written). Long enough for a predecessor sent just before it to be committed, short
    /// enough that a sender whose predecessor failed learns it soon.
    /// </summary>
    public TimeSpan PrecedingOrderWait { get; set; } = DefaultPrecedingOrderWait;

    /// <summary>Two seconds: many commits' worth, even under load.</summary>
    public static readonly TimeSpan DefaultPrecedingOrderWait = TimeSpan.FromSeconds(2);

    /// <summary>The Retry-After given with a 503.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
