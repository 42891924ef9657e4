namespace OrderFunctions.Standalone;

/// <summary>Access to the standalone host, bound from the <c>OrderApi</c> section (env <c>OrderApi__Keys__0=...</c>).</summary>
public sealed class OrderApiOptions
{
    public const string SectionName = "OrderApi";

    /// <summary>Function keys accepted in <c>x-functions-key</c> or <c>?code=</c>; none configured means the API is open.</summary>
    public string[] Keys { get; set; } = [];
}
