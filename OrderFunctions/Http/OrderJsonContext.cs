using System.Text.Json;
using System.Text.Json.Serialization;
using OrderFunctions.Orders;

namespace OrderFunctions.Http;

/// <summary>
/// Compile-time JSON metadata for the bodies written on every request (web defaults: camelCase). Put first in the
/// HTTP JSON options' resolver chain; types not listed here fall through to the reflection resolver.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(StoredOrder))]
[JsonSerializable(typeof(StoredOrder[]))]
[JsonSerializable(typeof(OrderBatchReceipt))]
internal sealed partial class OrderJsonContext : JsonSerializerContext;
