using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrderClient;

/// <summary>
/// One order read from a replay file: its line number, the JSON object to send (with a clientOrderId), or, when the
/// line could not be made into one, the local error (it goes to the rejects file without being sent).
/// </summary>
public sealed record ReplayItem(long Line, byte[]? Json, string? Raw, IReadOnlyDictionary<string, string[]>? LocalErrors);

/// <summary>
/// Reads NDJSON (one order object per line), CSV (a header naming timestamp, username, market, side, size, price and
/// optionally clientOrderId) or a JSON array of order objects (streamed element by element, so a file of any size
/// takes the memory of one order). An order without a clientOrderId gets a deterministic one, derived from the file's
/// full path, its size and the line number (the element number in an array), so replaying the same file again stores
/// nothing twice. A line of a rejects file (<c>{"line":..,"errors":..,"order":{..}}</c>) is read as its <c>order</c>,
/// so fixed rejects replay as they are.
/// </summary>
public sealed class ReplayFileReader : IDisposable
{
    private static readonly string[] Columns = ["timestamp", "username", "market", "side", "size", "price"];
    private readonly FileStream _stream;
    private readonly StreamReader _reader;
    private readonly string _idPrefix;
    private readonly bool _csv;
    private IAsyncEnumerator<JsonElement>? _elements;
    private int[]? _columnIndexes;
    private int _clientOrderIdColumn = -1;
    private long _line;

    public ReplayFileReader(string path)
    {
        var fullPath = Path.GetFullPath(path);
        _stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        _idPrefix = IdPrefix(fullPath, _stream.Length);
        Format = Detect(fullPath);
        _csv = Format == ReplayFileFormat.Csv;
    }

    public ReplayFileFormat Format { get; }

    /// <summary>What <see cref="ReplayItem.Line"/> counts: lines of the file, or elements of its array.</summary>
    public string Unit => Format == ReplayFileFormat.JsonArray ? "element" : "line";

    public long Length => _stream.Length;

    /// <summary>How far the file has been read (ahead of the orders handed out by the reader's buffer).</summary>
    public long Position => _stream.Position;

    /// <summary>
    /// "r" + 16 hex digits of SHA-256(full path, size) + "-" + line: at most 38 visible ASCII characters. The same file
    /// at the same place gives the same ids; a file that changed size (appended to) gets new ones.
    /// </summary>
    public static string IdPrefix(string fullPath, long length)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{fullPath}\n{length.ToString(CultureInfo.InvariantCulture)}"));
        return "r" + Convert.ToHexStringLower(hash.AsSpan(0, 8)) + "-";
    }

    public string ClientOrderIdFor(long line) => _idPrefix + line.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// <c>.csv</c> is CSV; otherwise a first visible character <c>[</c> makes a JSON array, whatever the extension (it is
    /// the batch format the server takes); <c>.ndjson</c>, <c>.jsonl</c>, <c>.json</c> or a first <c>{</c> make NDJSON;
    /// anything else is CSV.
    /// </summary>
    private static ReplayFileFormat Detect(string path)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase)) return ReplayFileFormat.Csv;
        using var sniff = new StreamReader(path);
        int c;
        while ((c = sniff.Read()) >= 0 && char.IsWhiteSpace((char)c)) { }
        if (c == '[') return ReplayFileFormat.JsonArray;
        if (extension.ToLowerInvariant() is ".ndjson" or ".jsonl" or ".json" || c == '{') return ReplayFileFormat.Ndjson;
        return c >= 0 ? ReplayFileFormat.Csv : ReplayFileFormat.Ndjson;
    }

    /// <summary>The next order, or null at the end of the file. Blank lines are skipped.</summary>
    /// <exception cref="InvalidDataException">A CSV file's header lacks a required column, or a JSON array is malformed.</exception>
    public async ValueTask<ReplayItem?> NextAsync(CancellationToken cancellationToken = default)
    {
        if (Format == ReplayFileFormat.JsonArray) return await NextElementAsync(cancellationToken);
        while (await _reader.ReadLineAsync(cancellationToken) is { } text)
        {
            _line++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            if (_csv && _columnIndexes is null)
            {
                ReadHeader(text);
                continue;
            }
            return _csv ? FromCsv(text) : FromJson(text);
        }
        return null;
    }

    private async ValueTask<ReplayItem?> NextElementAsync(CancellationToken cancellationToken)
    {
        // The serializer reads the array from the stream a buffer at a time and hands out one element at a time.
        _elements ??= JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(_stream, JsonSerializerOptions.Default, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        try
        {
            if (!await _elements.MoveNextAsync()) return null;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"is not a valid JSON array after element {_line.ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
        }
        _line++;
        var element = _elements.Current;
        return FromElement(element, element.GetRawText());
    }

    /// <exception cref="InvalidDataException">The header lacks a required column: no row of the file can be read.</exception>
    private void ReadHeader(string text)
    {
        var names = SplitCsv(text);
        _columnIndexes = new int[Columns.Length];
        var missing = new List<string>();
        for (var i = 0; i < Columns.Length; i++)
        {
            _columnIndexes[i] = names.FindIndex(n => n.Trim().Equals(Columns[i], StringComparison.OrdinalIgnoreCase));
            if (_columnIndexes[i] < 0) missing.Add(Columns[i]);
        }
        _clientOrderIdColumn = names.FindIndex(n => n.Trim().Equals("clientOrderId", StringComparison.OrdinalIgnoreCase));
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"the CSV header (line {_line.ToString(CultureInfo.InvariantCulture)}) lacks the column(s) {string.Join(", ", missing)}; " +
                $"it needs {string.Join(",", Columns)} and optionally clientOrderId");
        }
    }

    private ReplayItem FromCsv(string text)
    {
        var cells = SplitCsv(text);
        var columns = _columnIndexes!;
        var needed = Math.Max(columns.Max(), _clientOrderIdColumn) + 1;
        if (cells.Count < needed)
        {
            return new ReplayItem(_line, null, text, new Dictionary<string, string[]>
            {
                ["line"] = [$"has {cells.Count} columns, the header {needed}"],
            });
        }
        var buffer = new ArrayBufferWriter<byte>(192);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            for (var i = 0; i < Columns.Length; i++)
            {
                var value = cells[columns[i]];
                // Numbers go out as JSON numbers, digit for digit; anything else as a string for the server to judge.
                if (i >= 4 && OrderDraft.TryParseDecimal(value.Trim(), out var number)) writer.WriteNumber(Columns[i], number);
                else writer.WriteString(Columns[i], value);
            }
            var clientOrderId = _clientOrderIdColumn >= 0 ? cells[_clientOrderIdColumn] : "";
            writer.WriteString("clientOrderId", clientOrderId.Length > 0 ? clientOrderId : ClientOrderIdFor(_line));
            writer.WriteEndObject();
        }
        return new ReplayItem(_line, buffer.WrittenSpan.ToArray(), text, null);
    }

    private ReplayItem FromJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return FromElement(document.RootElement, text);
        }
        catch (JsonException ex)
        {
            return new ReplayItem(_line, null, text, new Dictionary<string, string[]> { ["line"] = [$"is not valid JSON: {ex.Message}"] });
        }
    }

    private ReplayItem FromElement(JsonElement order, string text)
    {
        if (order.ValueKind == JsonValueKind.Object
            && order.TryGetProperty("order", out var inner) && inner.ValueKind == JsonValueKind.Object
            && (order.TryGetProperty("line", out _) || order.TryGetProperty("element", out _)))
        {
            order = inner;
        }
        if (order.ValueKind != JsonValueKind.Object)
        {
            return new ReplayItem(_line, null, text, new Dictionary<string, string[]> { [Unit] = ["is not a JSON object"] });
        }
        var buffer = new ArrayBufferWriter<byte>(text.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var hasId = false;
            foreach (var property in order.EnumerateObject())
            {
                if (property.NameEquals("clientOrderId") && property.Value.ValueKind == JsonValueKind.Null) continue;
                hasId |= property.NameEquals("clientOrderId");
                property.WriteTo(writer);
            }
            if (!hasId) writer.WriteString("clientOrderId", ClientOrderIdFor(_line));
            writer.WriteEndObject();
        }
        return new ReplayItem(_line, buffer.WrittenSpan.ToArray(), text, null);
    }

    /// <summary>One CSV record (RFC 4180 quoting: "a, b" and "say ""hi"""; no line breaks inside a field).</summary>
    public static List<string> SplitCsv(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { cell.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else cell.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { cells.Add(cell.ToString()); cell.Clear(); }
            else cell.Append(c);
        }
        cells.Add(cell.ToString());
        return cells;
    }

    public void Dispose()
    {
        _elements?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _reader.Dispose();
        _stream.Dispose();
    }
}
