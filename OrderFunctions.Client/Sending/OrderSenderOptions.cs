using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>When the spool's writes are forced to disk (<c>msync</c>), and so what a power loss can take.</summary>
public enum SpoolFlushMode
{
    /// <summary>
    /// The kernel writes the pages back when it likes (Linux: within about 30 s). A killed
    /// process loses nothing; a power loss can lose the orders of the last seconds.
    /// </summary>
    Never,
    /// <summary>Every <see cref="OrderSenderOptions.SpoolFlushInterval"/>: a power loss loses at most that interval's orders.</summary>
    Interval,
    /// <summary>
    /// Before each batch is sent: an order the server has is also on the local disk, and a power loss loses at
    /// most the orders not yet batched (about <see cref="OrderSenderOptions.Linger"/> plus one round trip).
    /// </summary>
    EveryBatch,
}

/// <summary>The options of <see cref="OrderSender"/>; bind them from a configuration section with <c>AddOrderSender</c>.</summary>
public sealed record OrderSenderOptions
{
    /// <summary>The service's base address, e.g. <c>https://orders.example.net</c>.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:7071");

    /// <summary>The function key (sent as <c>x-functions-key</c>, never logged).</summary>
    public string? Key { get; set; }

    /// <summary>
    /// The caller's key when the service names its callers (<c>OrderAccess:Callers</c>), sent as <c>x-api-key</c>; never
    /// logged. A key that is unknown or may not write for an order's username stops the sender (401/403), orders kept.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// How many waiting orders send a batch before <see cref="Linger"/> has passed (default 1,000). When the sender is
    /// behind, a request carries every order that is ready, up to <see cref="MaxRequestOrders"/>.
    /// </summary>
    public int MaxBatchOrders { get; set; } = 1000;

    /// <summary>
    /// Orders per request at most (default 5,000; the server takes up to <see cref="OrderBatchLimits.MaxOrders"/> and
    /// 4 MiB, and a request it refuses as too large is halved). Reached only when the sender is behind: a request's fixed
    /// cost (a commit, a round trip) is then shared by more orders. Never fewer than <see cref="MaxBatchOrders"/>: the
    /// larger of the two applies. Requests of 10,000 were measured and not made the default (docs/sender.md): the
    /// server stored them faster alone, the sender end to end not reliably so, and each holds the server's writer twice
    /// as long, which another caller's request may wait behind.
    /// </summary>
    public int MaxRequestOrders { get; set; } = 5000;

    /// <summary>
    /// Requests in flight at once (1 to 4, default 2). Each request after the first names the last order of the one
    /// before it in <c>If-Order-Stored</c>, and the server stores it only once that order is stored, so the orders of
    /// one sender are stored in enqueue order however many are in flight. With 2, the server parses one request while
    /// it commits the other. Set 1 for a server older than this header (it would ignore it, and the order could break).
    /// </summary>
    public int MaxRequestsInFlight { get; set; } = 2;

    /// <summary>How long the first order of a batch waits for others before the batch is sent anyway (default 5 ms).</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Memory mode: orders held until the server acknowledges them; when full, TryEnqueue answers BufferFull (default 1,000,000).</summary>
    public int MaxBufferedOrders { get; set; } = 1_000_000;

    /// <summary>
    /// How soon a producer thread must use up its block of positions for its next block to double
    /// (<see cref="BlockReservation"/>); not public: tests set it so that block sizes do not depend on the machine's pace.
    /// </summary>
    internal TimeSpan BlockQuickFill { get; init; } = BlockReservation.QuickFill;

    /// <summary>A local directory for the crash-safe spool; null: memory only (orders not yet acknowledged are lost with the process).</summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>The spool's size limit: orders not yet acknowledged beyond it are refused with SpoolFull (default 1 GiB).</summary>
    public long MaxSpoolBytes { get; set; } = 1L << 30;

    /// <summary>Bytes per spool segment file, rounded down to whole records (default 24 MiB, 65,536 records).</summary>
    public long SpoolSegmentBytes { get; set; } = 65_536L * Spool.SpoolRecord.SlotBytes;

    /// <summary>When the spool is forced to disk; see <see cref="SpoolFlushMode"/> for what a power loss takes.</summary>
    public SpoolFlushMode SpoolFlush { get; set; } = SpoolFlushMode.Interval;

    /// <summary>The interval of <see cref="SpoolFlushMode.Interval"/> (default 100 ms).</summary>
    public TimeSpan SpoolFlushInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How long one request may take before it is retried (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retry delay after a 503, a timeout or a connection error; doubled per failure, with jitter (default 100 ms).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest retry delay (default 30 s); a longer Retry-After from the server is honoured up to 5 minutes.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long stopping (DisposeAsync, the host's shutdown) waits for the buffer to drain (default 10 s).</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    internal OrderFunctionsClientOptions ClientOptions() =>
        new() { Endpoint = Endpoint, Key = Key, ApiKey = ApiKey, RequestTimeout = RequestTimeout };

    /// <summary>Orders one request may carry: <see cref="MaxRequestOrders"/>, or <see cref="MaxBatchOrders"/> when larger.</summary>
    internal int RequestOrders => Math.Max(MaxRequestOrders, MaxBatchOrders);

    private static readonly string MustBeBatchSize =
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be 1 to {OrderBatchLimits.MaxOrders:N0} (the server's batch limit)");

    internal void Validate()
    {
        if (MaxBatchOrders is < 1 or > OrderBatchLimits.MaxOrders) throw new ArgumentOutOfRangeException(nameof(MaxBatchOrders), MaxBatchOrders,
            MustBeBatchSize);
        if (MaxRequestOrders is < 1 or > OrderBatchLimits.MaxOrders) throw new ArgumentOutOfRangeException(nameof(MaxRequestOrders), MaxRequestOrders,
            MustBeBatchSize);
        if (MaxRequestsInFlight is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(MaxRequestsInFlight), MaxRequestsInFlight,
            "must be 1 to 4");
        if (MaxBufferedOrders < MaxBatchOrders) throw new ArgumentOutOfRangeException(nameof(MaxBufferedOrders), MaxBufferedOrders,
            "must be at least MaxBatchOrders");
        if (Linger < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Linger), Linger, "must not be negative");
        if (SpoolDirectory is not null)
        {
            if (SpoolSegmentBytes < Spool.SpoolRecord.SlotBytes * 16L) throw new ArgumentOutOfRangeException(nameof(SpoolSegmentBytes),
                SpoolSegmentBytes, $"must hold at least 16 records of {Spool.SpoolRecord.SlotBytes} bytes");
            if (MaxSpoolBytes < 2 * SpoolSegmentBytes) throw new ArgumentOutOfRangeException(nameof(MaxSpoolBytes), MaxSpoolBytes,
                "must hold at least two segments (SpoolSegmentBytes)");
        }
    }
}
