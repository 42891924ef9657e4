using System.Globalization;
using System.Text;
using System.Text.Json;
using OrderFunctions.Http;
using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>
/// Reads the answer to a batch POST into one buffer reused for every batch (the answer lists each stored order, about
/// 150 bytes apiece, so a fresh array per batch would be a large-object allocation each time) and checks that it is
/// what the orders API sends: a JSON array of as many stored orders (objects with a numeric <c>id</c>) as were posted.
/// Anything else (another service, a proxy's page, a truncated body) must not count as stored. One sender thread uses it.
/// </summary>
internal sealed class BatchAnswerReader
{
    private byte[] _buffer = new byte[1 << 16];

    /// <summary>Null when the answer is the expected array; else what it is, in words, with an excerpt.</summary>
    public async Task<string?> ReadAsync(HttpResponseMessage response, int expected, Uri? url, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var length = 0;
            while (true)
            {
                if (length == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
                var read = await stream.ReadAsync(_buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
            }
            var body = _buffer.AsSpan(0, length);
            var minimal = response.Headers.TryGetValues(OrderHeaders.PreferenceApplied, out var applied)
                && applied.Any(v => v.Contains(OrderHeaders.ReturnMinimal, StringComparison.OrdinalIgnoreCase));
            ReplayedOrders = null;
            var replayed = 0;
            var problem = minimal ? CheckReceipt(body, expected, out replayed) : Check(body, expected);
            if (problem is not { } why)
            {
                if (minimal) ReplayedOrders = replayed;
                return null;
            }
            var where = url?.GetLeftPart(UriPartial.Path) ?? "the server";
            var status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            var excerpt = Excerpt(body, response.Content.Headers.ContentType?.MediaType);
            var wanted = minimal ? $"a receipt for the {Count(expected)}" : $"a JSON array of the {Count(expected)}";
            return $"{where} answered {status}, but not with {wanted} ({why}); it sent {excerpt}";
        }
    }

    /// <summary>After a receipt was read and checked: how many of the batch's orders were stored before; else null.</summary>
    public int? ReplayedOrders { get; private set; }

    private static string Count(int count) => count == 1 ? "1 stored order" : $"{count.ToString(CultureInfo.InvariantCulture)} stored orders";

    /// <summary>Null when <paramref name="json"/> is an array of <paramref name="expected"/> objects that each carry a numeric id.</summary>
    internal static string? Check(ReadOnlySpan<byte> json, int expected)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return "not a JSON array";
            var count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject) return $"element {count} is not an order";
                var hasId = false;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    // Property names at the object's own level; nested values are skipped whole.
                    var isId = reader.ValueTextEquals("id"u8);
                    reader.Read();
                    if (isId && reader.TokenType == JsonTokenType.Number) hasId = true;
                    reader.Skip();
                }
                if (!hasId) return $"element {count} has no id";
                count++;
            }
            if (reader.Read()) return "more follows the array";
            return count == expected ? null : $"{count} orders for {expected} sent";
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
    }

    /// <summary>
    /// Null when <paramref name="json"/> is an <see cref="OrderBatchReceipt"/> for <paramref name="expected"/> orders, all
    /// stored (created + replayed = count, ids positive); <paramref name="replayed"/> says how many were stored before.
    /// </summary>
    internal static string? CheckReceipt(ReadOnlySpan<byte> json, int expected, out int replayed)
    {
        replayed = 0;
        OrderBatchReceipt? receipt;
        try
        {
            receipt = JsonSerializer.Deserialize<OrderBatchReceipt>(json, ReceiptJson);
        }
        catch (JsonException ex)
        {
            return ex.Message;
        }
        if (receipt is null) return "not a JSON object";
        if (receipt.Count != expected) return $"a receipt for {receipt.Count} orders, {expected} sent";
        if (receipt.Created < 0 || receipt.Replayed < 0 || receipt.Created + receipt.Replayed != receipt.Count)
        {
            return $"created {receipt.Created} + replayed {receipt.Replayed} is not the count {receipt.Count}";
        }
        if (receipt.FirstId <= 0 || receipt.LastId <= 0) return "the receipt names no stored ids";
        replayed = receipt.Replayed;
        return null;
    }

    // A receipt missing a field is not a receipt: every member is required.
    private static readonly JsonSerializerOptions ReceiptJson = new(JsonSerializerOptions.Web) { RespectRequiredConstructorParameters = true };

    /// <summary>At most 200 characters of a body, on one line, with its media type: enough to recognise what answered.</summary>
    internal static string Excerpt(ReadOnlySpan<byte> body, string? mediaType)
    {
        var type = mediaType is { Length: > 0 } ? mediaType + " " : "";
        if (body.Length == 0) return $"an empty {type}body";
        var text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 800)]);
        var flat = new string([.. text.Take(200).Select(c => char.IsControl(c) ? ' ' : c)]);
        return $"{type}{flat}{(text.Length > 200 || body.Length > 800 ? "..." : "")}";
    }
}
