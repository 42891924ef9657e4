namespace OrderClient;

/// <summary>The kinds of file <c>replay</c> reads.</summary>
public enum ReplayFileFormat
{
    /// <summary>One order object per line (also a rejects file: its lines carry the order under <c>order</c>).</summary>
    Ndjson,
    /// <summary>A header naming the columns, then one order per line.</summary>
    Csv,
    /// <summary>One JSON array of order objects, as the server takes a batch; read element by element, never whole.</summary>
    JsonArray,
}
