using System.Text.Json;

namespace OrderFunctions.Client;

/// <summary>
/// An RFC 9457 problem document from the server, typed: <see cref="Errors"/> names each offending field
/// (<c>[3].price</c> for the fourth order of a batch), <see cref="ExistingId"/> and <see cref="Index"/> come with a 409,
/// <see cref="TraceId"/> with a 500.
/// </summary>
public sealed record OrderProblem(
    int Status,
    string Title,
    string? Detail,
    IReadOnlyDictionary<string, string[]> Errors,
    long? ExistingId = null,
    int? Index = null,
    string? TraceId = null,
    string? Type = null)
{
    private static readonly IReadOnlyDictionary<string, string[]> NoErrors = new Dictionary<string, string[]>();

    /// <summary>The batch positions the field errors name (<c>[3].price</c> gives 3), in ascending order.</summary>
    public IReadOnlyList<int> ErrorIndexes()
    {
        var indexes = new SortedSet<int>();
        foreach (var key in Errors.Keys)
        {
            if (key.Length > 2 && key[0] == '[' && key.IndexOf(']', StringComparison.Ordinal) is > 1 and var end
                && int.TryParse(key.AsSpan(1, end - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture,
                    out var index))
            {
                indexes.Add(index);
            }
        }
        return [.. indexes];
    }

    /// <summary>The field errors of the order at <paramref name="index"/> in a batch, keys without the <c>[i].</c> prefix.</summary>
    public IReadOnlyDictionary<string, string[]> ErrorsOf(int index)
    {
        var prefix = $"[{index}].";
        var result = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, messages) in Errors)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal)) result[key[prefix.Length..]] = messages;
        }
        return result;
    }

    /// <summary>One line for a log or a console: <c>title: detail</c> and the field errors.</summary>
    public override string ToString()
    {
        var text = Detail is { Length: > 0 } ? $"{Title}: {Detail}" : Title;
        return Errors.Count == 0 ? text : $"{text} ({string.Join("; ", Errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"))})";
    }

    /// <summary>Reads a problem leniently: a body that is not a problem document still yields a title.</summary>
    public static OrderProblem Parse(ReadOnlySpan<byte> json, int status, string? reasonPhrase)
    {
        string? title = null, detail = null, traceId = null, type = null;
        long? existingId = null;
        int? index = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in root.EnumerateObject())
                {
                    var value = property.Value;
                    switch (property.Name)
                    {
                        case "title" when value.ValueKind == JsonValueKind.String: title = value.GetString(); break;
                        case "detail" when value.ValueKind == JsonValueKind.String: detail = value.GetString(); break;
                        case "type" when value.ValueKind == JsonValueKind.String: type = value.GetString(); break;
                        case "traceId" when value.ValueKind == JsonValueKind.String: traceId = value.GetString(); break;
                        case "existingId" when value.TryGetInt64(out var id): existingId = id; break;
                        case "index" when value.TryGetInt32(out var i): index = i; break;
                        case "errors" when value.ValueKind == JsonValueKind.Object:
                            foreach (var field in value.EnumerateObject())
                            {
                                errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                                    ? [.. field.Value.EnumerateArray()
                                        .Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : m.GetRawText())]
                                    : [field.Value.ToString()];
                            }
                            break;
                    }
                }
            }
        }
        catch (JsonException)
        {
            if (json.Length is > 0 and <= 200) detail = System.Text.Encoding.UTF8.GetString(json);
        }
        return new OrderProblem(status, title ?? reasonPhrase ?? $"HTTP {status}", detail, errors.Count == 0 ? NoErrors : errors,
            existingId, index, traceId, type);
    }

    /// <summary>A problem the client makes itself for an order that breaks a rule (the server's own messages).</summary>
    internal static OrderProblem Invalid(Dictionary<string, string[]> errors) =>
        new(400, "One or more validation errors occurred.", null, errors);
}
