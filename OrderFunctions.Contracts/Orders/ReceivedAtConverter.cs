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
    public const string Format = TimestampText.Format;

    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset().UtcDateTime;

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options)
    {
        // Written once per order of every 201 (a batch answers up to 10,000): TimestampText, not the custom format.
        Span<byte> text = stackalloc byte[TimestampText.Length];
        TimestampText.Write(value.ToUniversalTime(), text);
        writer.WriteStringValue(text);
    }
}
