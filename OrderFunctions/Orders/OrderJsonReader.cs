using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OrderFunctions.Orders;

/// <summary>
/// Reads posted orders from UTF-8 JSON with <see cref="Utf8JsonReader"/>: one object, an array of objects, or NDJSON.
/// Every field error is collected (unknown and repeated keys, wrong types, numbers that cannot be kept exactly),
/// not just the first, and nothing is bound by reflection, so a typo is an error rather than a dropped field.
/// </summary>
public static class OrderJsonReader
{
    /// <summary>Longest string value read, in UTF-8 bytes; longer ones are refused without being decoded.</summary>
    public const int MaxStringBytes = 1024;

    // Array > object > field value: anything deeper is not an order and is refused by the reader itself.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 3 };

    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;

    private static readonly string[] FieldNames = ["timestamp", "username", "market", "side", "size", "price", "clientOrderId"];
    private static readonly byte[][] FieldNamesUtf8 = [.. FieldNames.Select(Encoding.UTF8.GetBytes)];

    // What a tokenizable body that no API of the reader can decode gets (the class of the lone-surrogate name).
    private const string Unreadable = "the JSON holds text that is not valid Unicode (such as a lone surrogate escape)";

    /// <summary>
    /// Reads one JSON object or a JSON array of objects. Field errors go to <paramref name="errors"/> and the orders are
    /// still returned, so the validator can name the other fields too; null when the body is not orders at all.
    /// </summary>
    public static List<OrderRequest?>? ReadJson(ReadOnlySpan<byte> json, ValidationErrors errors, out bool isArray)
    {
        isArray = false;
        // Utf8JsonReader calls an empty body malformed JSON; say what is wrong instead.
        if (json.Trim(JsonWhitespace).IsEmpty)
        {
            errors.Add("$", "the body is empty; send an order as a JSON object");
            return null;
        }
        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
            List<OrderRequest?>? orders;
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    orders = [ReadObject(ref reader, -1, errors)];
                    break;
                case JsonTokenType.StartArray:
                    isArray = true;
                    orders = ReadArray(ref reader, errors);
                    if (orders is null) return null;
                    break;
                default:
                    errors.Add("$", "must be a JSON object (one order) or an array of objects");
                    return null;
            }
            // Past the value: false at the end, or a JsonException for anything after it (one value per body).
            reader.Read();
            return orders;
        }
        catch (JsonException ex)
        {
            errors.Add("$", Malformed(ex));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            errors.Add("$", Unreadable);
            return null;
        }
    }

    /// <summary>Reads NDJSON: one order object per line, blank lines ignored; errors are keyed by the order's index.
    /// As with <see cref="ReadJson"/>, field errors leave the orders to be validated; null when there are none.</summary>
    public static List<OrderRequest?>? ReadNdjson(ReadOnlySpan<byte> body, ValidationErrors errors)
    {
        var orders = new List<OrderRequest?>();
        var line = 0;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'\n');
            var text = end < 0 ? body : body[..end];
            body = end < 0 ? default : body[(end + 1)..];
            line++;
            if (text.Trim(JsonWhitespace).IsEmpty) continue;

            var index = orders.Count;
            if (orders.Count == OrderBatchLimits.MaxOrders)
            {
                errors.Add("$", $"at most {OrderBatchLimits.MaxOrders} orders per request");
                return null;
            }
            var reader = new Utf8JsonReader(text, ReaderOptions);
            try
            {
                reader.Read(); // the line is not blank: a token, or a JsonException
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    errors.Add($"[{index}]", $"line {line} must be a JSON object");
                    orders.Add(null);
                    continue;
                }
                var order = ReadObject(ref reader, index, errors);
                reader.Read(); // a JsonException for anything after the object on its line
                orders.Add(order);
            }
            catch (JsonException ex)
            {
                errors.Add($"[{index}]", $"line {line}: {Malformed(ex)}");
                orders.Add(null);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
            {
                errors.Add($"[{index}]", $"line {line}: {Unreadable}");
                orders.Add(null);
            }
        }
        if (orders.Count == 0)
        {
            errors.Add("$", "the body holds no orders");
            return null;
        }
        return orders;
    }

    // Elements that are not objects are reported and kept as null, so the other elements are still validated.
    private static List<OrderRequest?>? ReadArray(ref Utf8JsonReader reader, ValidationErrors errors)
    {
        var orders = new List<OrderRequest?>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (orders.Count == OrderBatchLimits.MaxOrders)
            {
                errors.Add("$", $"at most {OrderBatchLimits.MaxOrders} orders per request");
                return null;
            }
            var index = orders.Count;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add($"[{index}]", "must be a JSON object");
                reader.Skip();
                orders.Add(null);
                continue;
            }
            orders.Add(ReadObject(ref reader, index, errors));
        }
        if (orders.Count == 0)
        {
            errors.Add("$", "the array holds no orders");
            return null;
        }
        return orders;
    }

    private static OrderRequest ReadObject(ref Utf8JsonReader reader, int index, ValidationErrors errors)
    {
        var request = new OrderRequest();
        Span<bool> seen = stackalloc bool[FieldNames.Length];
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = FieldIndex(ref reader);
            if (field < 0)
            {
                errors.Add(index, UnknownName(ref reader), "is not a known field");
                reader.Skip(); // on a property name, Skip moves to its value and past it
                continue;
            }
            var key = FieldNames[field];
            reader.Read();
            if (seen[field])
            {
                errors.Add(index, key, "appears more than once");
                reader.Skip();
                continue;
            }
            seen[field] = true;
            switch (field)
            {
                case 0: request.Timestamp = ReadString(ref reader, index, key, errors); break;
                case 1: request.Username = ReadString(ref reader, index, key, errors); break;
                case 2: request.Market = ReadString(ref reader, index, key, errors); break;
                case 3: request.Side = ReadString(ref reader, index, key, errors); break;
                case 4: request.Size = ReadDecimal(ref reader, index, key, errors); break;
                case 5: request.Price = ReadDecimal(ref reader, index, key, errors); break;
                case 6: request.ClientOrderId = ReadString(ref reader, index, key, errors); break;
            }
        }
        return request;
    }

    // ValueTextEquals unescapes an escaped name first and throws InvalidOperationException when the escapes are not
    // valid UTF-16 (a lone surrogate such as \ud800), so an escaped name is decoded by SafeGetString and compared as
    // text; an unescaped one is compared byte for byte, which cannot throw.
    private static int FieldIndex(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            var name = reader.ValueSpan.Length <= MaxStringBytes ? SafeGetString(ref reader) : null;
            return name is null ? -1 : Array.IndexOf(FieldNames, name);
        }
        for (var i = 0; i < FieldNames.Length; i++)
        {
            if (reader.ValueSpan.SequenceEqual(FieldNamesUtf8[i])) return i;
        }
        return -1;
    }

    private static string UnknownName(ref Utf8JsonReader reader)
    {
        var name = reader.ValueSpan.Length <= MaxStringBytes ? SafeGetString(ref reader) : null;
        return name is null ? "(unreadable field name)" : name.Length <= 64 ? name : name[..64] + "...";
    }

    // A string field: a JSON string of bounded length. Anything else is reported and skipped, so a mistyped field is
    // named instead of aborting the whole read; null is left unset and reported as missing by the validator.
    private static string? ReadString(ref Utf8JsonReader reader, int index, string key, ValidationErrors errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            if (reader.TokenType != JsonTokenType.Null) errors.Add(index, key, "must be a string");
            reader.Skip();
            return null;
        }
        if (reader.ValueSpan.Length > MaxStringBytes)
        {
            errors.Add(index, key, $"must be at most {MaxStringBytes} bytes");
            return null;
        }
        var value = SafeGetString(ref reader);
        if (value is null) errors.Add(index, key, "must be valid UTF-8 text");
        return value;
    }

    // size and price: a JSON number, or a string holding one (as many exchanges send decimals). The text is checked
    // before it is parsed, so a value with more digits than decimal holds is refused instead of being rounded.
    private static decimal? ReadDecimal(ref Utf8JsonReader reader, int index, string key, ValidationErrors errors)
    {
        decimal value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!HasKeepableDigits(reader.ValueSpan))
                {
                    errors.Add(index, key, OrderValidator.PrecisionMessage);
                    return null;
                }
                if (!reader.TryGetDecimal(out value))
                {
                    errors.Add(index, key, "is out of range");
                    return null;
                }
                return value;
            case JsonTokenType.String when reader.ValueSpan.Length <= 64:
                var text = SafeGetString(ref reader); // null (not UTF-8) fails to parse
                if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                    CultureInfo.InvariantCulture, out value))
                {
                    errors.Add(index, key, "must be a number");
                    return null;
                }
                if (!HasKeepableDigits(Encoding.UTF8.GetBytes(text)))
                {
                    errors.Add(index, key, OrderValidator.PrecisionMessage);
                    return null;
                }
                return value;
            case JsonTokenType.Null:
                return null;
            default:
                errors.Add(index, key, "must be a number");
                reader.Skip();
                return null;
        }
    }

    /// <summary>
    /// True when the mantissa of a number's text has at most 18 significant digits (10 before the point and 8 after
    /// is the most the store keeps): more could only be refused later or, past decimal's 28 digits, silently rounded.
    /// </summary>
    internal static bool HasKeepableDigits(ReadOnlySpan<byte> number)
    {
        var exponent = number.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = exponent < 0 ? number : number[..exponent];
        var point = mantissa.IndexOf((byte)'.');
        var whole = (point < 0 ? mantissa : mantissa[..point]).TrimStart("-+0"u8);
        var fraction = point < 0 ? default : mantissa[(point + 1)..].TrimEnd((byte)'0');
        var significant = whole.Length + fraction.Length;
        if (whole.IsEmpty) significant = fraction.TrimStart((byte)'0').Length;
        return significant <= OrderDecimal.IntegerDigits + OrderDecimal.Scale;
    }

    // GetString throws InvalidOperationException for invalid UTF-8 and for escapes that are not valid UTF-16.
    private static string? SafeGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static string Malformed(JsonException ex) =>
        $"malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}";
}
