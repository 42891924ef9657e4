using System.Text.Json;
using OrderFunctions.Orders;

namespace OrderFunctions.Client;

/// <summary>Writes one order as the JSON object the server reads (camelCase, ISO 8601 UTC timestamp, exact decimals).</summary>
internal static class OrderJson
{
    public static void Write(Utf8JsonWriter writer, DateTime utcTimestamp, ReadOnlySpan<byte> username, ReadOnlySpan<byte> market,
        string side, decimal size, decimal price, ReadOnlySpan<byte> clientOrderId)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, utcTimestamp);
        writer.WriteString("username"u8, username);
        writer.WriteString("market"u8, market);
        writer.WriteString("side"u8, side);
        writer.WriteNumber("size"u8, size);
        writer.WriteNumber("price"u8, price);
        writer.WriteString("clientOrderId"u8, clientOrderId);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, in OutgoingOrder order, ReadOnlySpan<byte> clientOrderId)
    {
        writer.WriteStartObject();
        writer.WriteString("timestamp"u8, order.UtcTimestamp());
        writer.WriteString("username"u8, order.Username);
        writer.WriteString("market"u8, order.Market);
        writer.WriteString("side"u8, OrderSide.Normalize(order.Side));
        writer.WriteNumber("size"u8, order.Size);
        writer.WriteNumber("price"u8, order.Price);
        if (order.ClientOrderId is { } id) writer.WriteString("clientOrderId"u8, id);
        else writer.WriteString("clientOrderId"u8, clientOrderId);
        writer.WriteEndObject();
    }
}
