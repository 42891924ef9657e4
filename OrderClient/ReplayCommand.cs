using System.Diagnostics;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrderClient;

/// <summary>
/// <c>OrderClient replay</c>: sends a file's orders in batches (JSON arrays). Resumable, since every order has a
/// deterministic clientOrderId: after an interruption the same command sends everything again and the server answers
/// the orders it already has as idempotent replays. Rejected orders go to the rejects file with their line number and
/// the server's errors; the rest of their batch is sent again without them (the server stores a request all or nothing).
/// Ctrl-C (the cancellation token) ends it with the summary so far, where it stopped and how to resume, exit 130.
/// </summary>
public sealed partial class ReplayCommand(OrdersApiClient api, TextWriter output, TextWriter error, ClientEnvironment environment)
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);
    private RejectsWriter? _rejects;
    private long _sent, _stored, _replayed, _rejected;
    private long? _pending;

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
        // The first order not yet settled when the replay ends early: where a resumed run does new work.
        long? stoppedAt = null;
        _rejects = new RejectsWriter(rejectsPath);
        var batch = new List<ReplayItem>(batchSize);
        try
        {
            using var reader = new ReplayFileReader(file);
            unit = reader.Unit;
            _rejects.Unit = unit;
            while (true)
            {
                var item = await reader.NextAsync(cancellationToken);
                if (item is not null)
                {
                    read++;
                    if (item.Json is null) Reject(item, item.LocalErrors!);
                    else batch.Add(item);
                }
                if (batch.Count == batchSize || (item is null && batch.Count > 0))
                {
                    exit = await SendAsync(batch, unit, cancellationToken);
                    batch.Clear();
                    if (exit != ExitCodes.Success)
                    {
                        stoppedAt = _pending;
                        break;
                    }
                    _pending = null;
                }
                if (environment.OutputIsTerminal && Stopwatch.GetElapsedTime(lastProgress) >= ProgressInterval)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    WriteProgress(reader.Position, reader.Length, read, Stopwatch.GetElapsedTime(started));
                }
                if (item is null) break;
            }
            if (environment.OutputIsTerminal) output.WriteLine();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: the batch in flight may or may not be stored; a resumed run sends it again and the server
            // answers what it has as replays.
            if (environment.OutputIsTerminal) output.WriteLine();
            exit = ExitCodes.Interrupted;
            stoppedAt = _pending ?? (batch.Count > 0 ? batch[0].Line : null);
        }
        catch (InvalidDataException ex)
        {
            error.WriteLine($"Replay: {file}: {ex.Message}");
            if (read == 0) return ExitCodes.Rejected;
            exit = ExitCodes.Rejected;
        }
        finally
        {
            _rejects.Dispose();
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var c = CultureInfo.InvariantCulture;
        var rate = (_stored + _replayed) / Math.Max(elapsed.TotalSeconds, 1e-9);
        var interrupted = exit == ExitCodes.Interrupted ? "Interrupted: " : "";
        output.WriteLine(string.Create(c,
            $"{interrupted}Replay of {file}: {read:N0} read, {_sent:N0} sent, {_stored:N0} stored, {_replayed:N0} already stored (replayed), {_rejected:N0} rejected; {elapsed.TotalSeconds:0.000} s, {rate:N0} orders/s"));
        if (_rejected > 0) output.WriteLine($"Rejected orders were written to {rejectsPath}: fix them and replay that file.");
        if (exit is ExitCodes.Unavailable or ExitCodes.Interrupted)
        {
            var where = stoppedAt is { } at ? string.Create(c, $" at {unit} {at}") : "";
            error.WriteLine($"{(exit == ExitCodes.Interrupted ? "Interrupted" : "Stopped")}{where}. To resume, run the same command again: "
                + "every order keeps its clientOrderId, so the orders already stored are answered as replays and none is stored twice.");
        }
        return exit != ExitCodes.Success ? exit : _rejected > 0 ? ExitCodes.Rejected : ExitCodes.Success;
    }

    /// <summary>Sends one batch until every order in it is stored or rejected; a non-success exit code stops the replay.</summary>
    private async Task<int> SendAsync(List<ReplayItem> batch, string unit, CancellationToken cancellationToken)
    {
        var pending = new List<ReplayItem>(batch);
        while (pending.Count > 0)
        {
            // Orders count as sent once settled (stored, replayed or rejected), so a resent remainder is not counted twice.
            _pending = pending[0].Line;
            var result = await api.CreateManyAsync(ToJsonArray(pending), pending.Count, cancellationToken);
            switch (result)
            {
                case { Outcome: ApiOutcome.Success }:
                    _sent += pending.Count;
                    if (result.Replayed) _replayed += pending.Count;
                    else _stored += pending.Count;
                    return ExitCodes.Success;

                case { StatusCode: 400 or 409, Problem: { } problem } when ByIndex(problem, pending.Count) is { Count: > 0 } bad:
                    foreach (var index in bad.Keys.OrderDescending())
                    {
                        _sent++;
                        Reject(pending[index], bad[index]);
                        pending.RemoveAt(index);
                    }
                    break;

                case { StatusCode: 400 or 409 or 422, Problem: { } problem }:
                    // An error that names no order: each order of the request carries it.
                    var errors = problem.Errors.Count > 0
                        ? problem.Errors
                        : new Dictionary<string, string[]> { ["request"] = [problem.Detail ?? problem.Title ?? "rejected"] };
                    foreach (var item in pending)
                    {
                        _sent++;
                        Reject(item, errors);
                    }
                    return ExitCodes.Success;

                case { StatusCode: 413 } when pending.Count > 1:
                    var half = pending.Count / 2;
                    var exit = await SendAsync(pending.GetRange(0, half), unit, cancellationToken);
                    return exit != ExitCodes.Success ? exit : await SendAsync(pending.GetRange(half, pending.Count - half), unit, cancellationToken);

                default:
                    OutputFormat.WriteFailure(error, result, $"Replay stopped at {unit} {pending[0].Line.ToString(CultureInfo.InvariantCulture)}");
                    return result.ExitCode;
            }
        }
        return ExitCodes.Success;
    }

    /// <summary>The errors of a batch grouped by the order they name: "[3].price" belongs to element 3; 409 names its index.</summary>
    private static Dictionary<int, Dictionary<string, string[]>> ByIndex(ApiProblem problem, int count)
    {
        var result = new Dictionary<int, Dictionary<string, string[]>>();
        if (problem.Status == 409)
        {
            if (problem.Index is { } index && index >= 0 && index < count)
            {
                result[index] = new() { ["clientOrderId"] = [problem.Detail ?? "conflicts with a stored order"] };
            }
            return result;
        }
        foreach (var (key, messages) in problem.Errors)
        {
            var match = IndexedField().Match(key);
            if (!match.Success) return []; // an error for the whole request: no order can be singled out
            var i = int.Parse(match.Groups[1].ValueSpan, CultureInfo.InvariantCulture);
            if (i >= count) return [];
            var field = match.Groups[2].Value.TrimStart('.');
            if (!result.TryGetValue(i, out var errors)) result[i] = errors = [];
            errors[field.Length == 0 ? "order" : field] = messages;
        }
        return result;
    }

    [GeneratedRegex(@"^\[(\d+)\](.*)$")]
    private static partial Regex IndexedField();

    private static byte[] ToJsonArray(List<ReplayItem> items)
    {
        var length = 2 + items.Count - 1 + items.Sum(i => i.Json!.Length);
        var body = new byte[length];
        body[0] = (byte)'[';
        var position = 1;
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) body[position++] = (byte)',';
            items[i].Json!.CopyTo(body, position);
            position += items[i].Json!.Length;
        }
        body[position] = (byte)']';
        return body;
    }

    private void Reject(ReplayItem item, IReadOnlyDictionary<string, string[]> errors)
    {
        _rejected++;
        _rejects!.Write(item, errors);
    }

    private void WriteProgress(long position, long length, long read, TimeSpan elapsed)
    {
        const int width = 30;
        var fraction = length == 0 ? 1 : Math.Clamp((double)position / length, 0, 1);
        var filled = (int)(fraction * width);
        var rate = (_stored + _replayed) / Math.Max(elapsed.TotalSeconds, 1e-9);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('.', width - filled)}] {fraction * 100,3:0}%  {read:N0} read  {_stored + _replayed:N0} stored  {_rejected:N0} rejected  {rate:N0}/s "));
    }

    /// <summary>The rejects file, NDJSON: <c>{"line":12,"errors":{"price":["..."]},"order":{...as sent...}}</c>; created at the first reject.</summary>
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
