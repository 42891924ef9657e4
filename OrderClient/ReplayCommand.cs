using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using OrderFunctions.Client;
using OrderFunctions.Orders;

namespace OrderClient;

/// <summary>
/// <c>OrderClient replay</c>: hands a file's orders to the library's <see cref="OrderSender"/>, which sends them in
/// batches of <c>--batch</c>, one request at a time and in file order, while the file is read on. Resumable, since
/// every order has a deterministic clientOrderId: after an interruption the same command sends everything again and
/// the server answers the orders it already has as idempotent replays. An order that breaks the server's rules is
/// rejected here, by the server's own validator, without being sent; one the server refuses (a 409) is removed from
/// its batch by the sender and the rest sent. Both go to the rejects file with their line number and the errors.
/// A server that stays away is retried <c>--retries</c> times (the sender's backoff, honouring Retry-After), then the
/// replay stops and says where. Ctrl-C (the cancellation token) ends it with the summary so far and how to resume, exit 130.
/// </summary>
public sealed class ReplayCommand(
    ApiEndpoint endpoint, HttpClient http, TextWriter output, TextWriter error, ClientEnvironment environment, int retries)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web);
    private readonly object _gate = new();
    // The orders handed to the sender and not yet settled, oldest first: for the rejects file, and for where a stop was.
    private readonly Queue<(ReplayItem Item, string Id)> _unsettled = new();
    private readonly Dictionary<string, ReplayItem> _byId = new(StringComparer.Ordinal);
    private RejectsWriter? _rejects;
    private long _settled, _rejectedHere, _rejectedThere;
    private string? _giveUp;

    public async Task<int> RunAsync(string file, int batchSize, string rejectsPath, CancellationToken cancellationToken)
    {
        if (!File.Exists(file))
        {
            error.WriteLine($"Replay: no file {file}");
            return ExitCodes.Rejected;
        }
        var started = Stopwatch.GetTimestamp();
        var lastProgress = started;
        long read = 0;
        var exit = ExitCodes.Success;
        var unit = "line";
        _rejects = new RejectsWriter(rejectsPath);
        var sender = new OrderSender(new OrderSenderOptions
        {
            Endpoint = endpoint.BaseAddress,
            Key = endpoint.Key,
            ApiKey = endpoint.ApiKey,
            MaxBatchOrders = batchSize,
            MaxRequestOrders = batchSize, // --batch is the size of a request, also when the sender is behind
            MaxBufferedOrders = Math.Max(4 * batchSize, 10_000),
            // Every batch but the last is full: the sender waits for --batch orders, and the end of the file flushes.
            Linger = TimeSpan.FromHours(1),
            RetryDelay = environment.RetryDelay,
            MaxRetryDelay = TimeSpan.FromSeconds(30),
            DrainTimeout = TimeSpan.Zero,
        }, http);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        OrderSenderStoppedEventArgs? stopped = null;
        sender.OrderRejected += (_, e) => RejectedByServer(e);
        sender.SendFailed += (_, e) =>
        {
            if (e.Attempt <= retries) return;
            Volatile.Write(ref _giveUp, e.Reason ?? $"HTTP {e.Status.ToString(CultureInfo.InvariantCulture)}");
            stop.Cancel();
        };
        sender.SenderStopped += (_, e) =>
        {
            Volatile.Write(ref stopped, e);
            stop.Cancel();
        };
        try
        {
            using var reader = new ReplayFileReader(file);
            unit = reader.Unit;
            _rejects.Unit = unit;
            while (await reader.NextAsync(stop.Token) is { } item)
            {
                read++;
                if (item.Json is null) Reject(item, item.LocalErrors!);
                else if (Validate(item) is { } outgoing && !await HandOverAsync(sender, item, outgoing, stop.Token)) break;
                if (environment.OutputIsTerminal && Stopwatch.GetElapsedTime(lastProgress) >= ProgressInterval)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    WriteProgress(sender, reader.Position, reader.Length, read, Stopwatch.GetElapsedTime(started));
                }
            }
            await sender.FlushAsync(stop.Token);
            if (environment.OutputIsTerminal) output.WriteLine();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (environment.OutputIsTerminal) output.WriteLine();
        }
        catch (InvalidDataException ex)
        {
            error.WriteLine($"Replay: {file}: {ex.Message}");
            exit = ExitCodes.Rejected;
            // What was read before the bad part is sent all the same.
            if (read > 0 && !await FlushQuietlyAsync(sender, cancellationToken)) exit = ExitCodes.Unavailable;
        }
        // Waits for the sending thread: a stop it made on its own has been reported (SenderStopped) when this returns.
        var left = await sender.StopAsync(TimeSpan.Zero);
        _rejects.Dispose();
        if (exit == ExitCodes.Rejected && read == 0) return exit;
        if (cancellationToken.IsCancellationRequested) exit = ExitCodes.Interrupted;
        else if (Volatile.Read(ref stopped) is not null || Volatile.Read(ref _giveUp) is not null || !left.Drained) exit = ExitCodes.Unavailable;

        // The first order not settled when the replay ended: where a resumed run does new work.
        long? stoppedAt;
        lock (_gate)
        {
            Settle(sender);
            stoppedAt = _unsettled.Count > 0 ? _unsettled.Peek().Item.Line : null;
        }
        var (stored, replayed) = (sender.StoredCount, sender.ReplayedCount);
        var rejected = _rejectedHere + _rejectedThere;
        var sent = stored + replayed + _rejectedThere;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var c = CultureInfo.InvariantCulture;
        var rate = (stored + replayed) / Math.Max(elapsed.TotalSeconds, 1e-9);
        var interrupted = exit == ExitCodes.Interrupted ? "Interrupted: " : "";
        output.WriteLine(string.Create(c,
            $"{interrupted}Replay of {file}: {read:N0} read, {sent:N0} sent, {stored:N0} stored, {replayed:N0} already stored (replayed), "
            + $"{rejected:N0} rejected; {elapsed.TotalSeconds:0.000} s, {rate:N0} orders/s"));
        if (rejected > 0) output.WriteLine($"Rejected orders were written to {rejectsPath}: fix them and replay that file.");
        var where = stoppedAt is { } at ? string.Create(c, $" at {unit} {at}") : "";
        if (exit != ExitCodes.Interrupted && Volatile.Read(ref stopped) is { } why)
        {
            // The server refused the key or the URL, or something other than the orders API answered.
            error.WriteLine($"Replay stopped{where}: {why.Reason}");
            var wrongUrl = why.Status is 404 or 405 or (>= 200 and < 300);
            if (wrongUrl) error.WriteLine(endpoint.UrlHint());
            exit = why.Status is >= 200 and < 300 ? ExitCodes.Unavailable : ExitCodes.Rejected;
        }
        else if (exit == ExitCodes.Unavailable && Volatile.Read(ref _giveUp) is { } reason)
        {
            error.WriteLine($"Replay stopped{where}: {reason}");
        }
        if (exit is ExitCodes.Unavailable or ExitCodes.Interrupted)
        {
            error.WriteLine($"{(exit == ExitCodes.Interrupted ? "Interrupted" : "Stopped")}{where}. To resume, run the same command again: "
                + "every order keeps its clientOrderId, so the orders already stored are answered as replays and none is stored twice.");
        }
        return exit != ExitCodes.Success ? exit : rejected > 0 ? ExitCodes.Rejected : ExitCodes.Success;
    }

    private static async Task<bool> FlushQuietlyAsync(OrderSender sender, CancellationToken cancellationToken)
    {
        try
        {
            return await sender.FlushAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The order as the library takes it, or null when the server's validator refuses it (then it is rejected here).</summary>
    private OutgoingOrder? Validate(ReplayItem item)
    {
        OrderRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<OrderRequest>(item.Json!, Json);
        }
        catch (JsonException ex)
        {
            Reject(item, new Dictionary<string, string[]> { [ex.Path is { Length: > 2 } path ? path[2..] : "order"] = [ex.Message] });
            return null;
        }
        var errors = new ValidationErrors();
        if (request is null || OrderValidator.Validate(request, errors) is not { } order)
        {
            Reject(item, errors.IsEmpty ? new Dictionary<string, string[]> { ["order"] = ["is not an order object"] } : errors.ToDictionary());
            return null;
        }
        return new OutgoingOrder(order.Timestamp, order.Username, order.Market, order.Side, order.Size, order.Price, order.ClientOrderId);
    }

    /// <summary>False when the sender has stopped (SenderStopped says why): nothing more can be sent.</summary>
    private async Task<bool> HandOverAsync(OrderSender sender, ReplayItem item, OutgoingOrder order, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _unsettled.Enqueue((item, order.ClientOrderId!));
            _byId[order.ClientOrderId!] = item;
        }
        var status = await sender.EnqueueAsync(order, cancellationToken);
        lock (_gate)
        {
            if (status != EnqueueStatus.Accepted)
            {
                // Taken back: it is the newest, so the last in the queue (only this thread adds).
                var kept = _unsettled.Where(u => !ReferenceEquals(u.Item, item)).ToList();
                _unsettled.Clear();
                foreach (var entry in kept) _unsettled.Enqueue(entry);
                _byId.Remove(order.ClientOrderId!);
            }
            Settle(sender);
        }
        if (status == EnqueueStatus.Invalid) Reject(item, order.Explain());
        return status is EnqueueStatus.Accepted or EnqueueStatus.Invalid;
    }

    /// <summary>Forgets the orders the sender has settled (acknowledged or refused), oldest first.</summary>
    private void Settle(OrderSender sender)
    {
        var settled = sender.EnqueuedCount - sender.BufferedOrders;
        while (_settled < settled && _unsettled.TryDequeue(out var done))
        {
            _byId.Remove(done.Id);
            _settled++;
        }
    }

    private void RejectedByServer(OrderRejectedEventArgs e)
    {
        ReplayItem? item;
        lock (_gate) _byId.TryGetValue(e.Order.ClientOrderId ?? "", out item);
        if (item is null) return;
        var problem = e.Problem;
        IReadOnlyDictionary<string, string[]> errors = problem.Status == 409
            ? new Dictionary<string, string[]> { ["clientOrderId"] = [problem.Detail ?? "conflicts with a stored order"] }
            : problem.Errors.Count > 0
                ? problem.Errors
                : new Dictionary<string, string[]> { ["request"] = [problem.Detail ?? problem.Title] };
        Interlocked.Increment(ref _rejectedThere);
        lock (_gate) _rejects!.Write(item, errors);
    }

    private void Reject(ReplayItem item, IReadOnlyDictionary<string, string[]> errors)
    {
        _rejectedHere++;
        lock (_gate) _rejects!.Write(item, errors);
    }

    private void WriteProgress(OrderSender sender, long position, long length, long read, TimeSpan elapsed)
    {
        const int width = 30;
        var fraction = length == 0 ? 1 : Math.Clamp((double)position / length, 0, 1);
        var filled = (int)(fraction * width);
        var done = sender.StoredCount + sender.ReplayedCount;
        var rate = done / Math.Max(elapsed.TotalSeconds, 1e-9);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,3:0}%  {read:N0} read  {done:N0} stored  " +
            $"{_rejectedHere + _rejectedThere:N0} rejected  {rate:N0}/s "));
    }

    /// <summary>
    /// The rejects file, NDJSON: <c>{"line":12,"errors":{"price":["..."]},"order":{...as sent...}}</c>; created at the first reject.
    /// </summary>
    private sealed class RejectsWriter(string path) : IDisposable
    {
        private Stream? _stream;
        private Utf8JsonWriter? _writer;

        /// <summary>"line", or "element" for a JSON array file: the name of the position each reject carries.</summary>
        public string Unit { get; set; } = "line";

        public void Write(ReplayItem item, IReadOnlyDictionary<string, string[]> errors)
        {
            _stream ??= new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read);
            // Relaxed escaping keeps quotes and apostrophes readable in a file meant to be fixed by hand.
            _writer ??= new Utf8JsonWriter(_stream, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            _writer.Reset(_stream);
            _writer.WriteStartObject();
            _writer.WriteNumber(Unit, item.Line);
            _writer.WritePropertyName("errors");
            _writer.WriteStartObject();
            foreach (var (field, messages) in errors)
            {
                _writer.WritePropertyName(field);
                _writer.WriteStartArray();
                foreach (var message in messages) _writer.WriteStringValue(message);
                _writer.WriteEndArray();
            }
            _writer.WriteEndObject();
            if (item.Json is not null)
            {
                _writer.WritePropertyName("order");
                using var order = JsonDocument.Parse(item.Json);
                order.RootElement.WriteTo(_writer);
            }
            else
            {
                _writer.WriteString("text", item.Raw);
            }
            _writer.WriteEndObject();
            _writer.Flush();
            _stream.WriteByte((byte)'\n');
        }

        public void Dispose()
        {
            _writer?.Dispose();
            _stream?.Dispose();
        }
    }
}
