namespace OrderFunctions.Access;

/// <summary>
/// Who may call the API, bound from the <c>OrderAccess</c> section (<c>OrderAccess__Callers__0__Name=desk1</c>). No
/// callers: the API is open, as before callers existed.
/// </summary>
public sealed class OrderAccessOptions
{
    public const string SectionName = "OrderAccess";

    public List<OrderCallerOptions> Callers { get; set; } = [];
}
