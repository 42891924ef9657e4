using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrderFunctions.Orders;

/// <summary>
/// <c>receivedAt</c> on the wire: UTC with exactly 7 fraction digits (<c>2026-12-06T19:56:52.1234560Z</c>), a fixed
/// width that sorts as text; read back as any ISO 8601 instant.
/// </summary>
public sealed class ReceivedAtConverter : JsonConverter<DateTime>
{
    /// <summary>The format written.</summary>
    public const string Format = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        Span<byte> text = stackalloc byte[28];
        value.ToUniversalTime().TryFormat(text, out var written, Format, CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..written]);
    }
}
