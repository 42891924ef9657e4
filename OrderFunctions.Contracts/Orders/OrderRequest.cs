namespace OrderFunctions.Orders;

/// <summary>An order as posted, before validation: every field may be missing (null).</summary>
public sealed class OrderRequest
{
    public string? Timestamp { get; set; }
    public string? Username { get; set; }
    public string? Market { get; set; }
    public string? Side { get; set; }
    public decimal? Size { get; set; }
    public decimal? Price { get; set; }
    public string? ClientOrderId { get; set; }
}
