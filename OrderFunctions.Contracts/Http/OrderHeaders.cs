namespace OrderFunctions.Http;

/// <summary>The HTTP header names of the orders API, named once for the server and its clients.</summary>
public static class OrderHeaders
{
    /// <summary>The function key (Azure Functions' <c>x-functions-key</c>); the <c>code</c> query parameter also works.</summary>
    public const string FunctionKey = "x-functions-key";

    /// <summary>
    /// A caller's key (<c>OrderAccess:Callers</c>): names the caller, the usernames it may act for and what it may do.
    /// Sent beside the function key, which stays the Functions host's own outer gate.
    /// </summary>
    public const string ApiKey = "x-api-key";

    /// <summary><c>true</c> on a 200 that answers a POST whose orders were all stored before (same clientOrderId, same content).</summary>
    public const string IdempotentReplayed = "Idempotent-Replayed";

    /// <summary>The NDJSON media type a batch may be posted as (one order object per line).</summary>
    public const string NdjsonContentType = "application/x-ndjson";

    /// <summary>
    /// RFC 7240's request header. The batch route honours <see cref="ReturnMinimal"/>: it answers an
    /// <c>OrderBatchReceipt</c> instead of the list of stored orders, and says so in <see cref="PreferenceApplied"/>.
    /// </summary>
    public const string Prefer = "Prefer";

    /// <summary>RFC 7240's answer header: which preference of <see cref="Prefer"/> the server applied.</summary>
    public const string PreferenceApplied = "Preference-Applied";

    /// <summary>The preference that asks for the minimal answer (a receipt instead of the stored orders).</summary>
    public const string ReturnMinimal = "return=minimal";

    /// <summary>
    /// A precondition: store this request only once the order it names (<c>username/clientOrderId</c>, see
    /// <see cref="PrecedingOrder"/>) is stored; 412 when it is not within the server's wait. A sender with two requests
    /// in flight names the last order of the earlier one, so the later one is never committed first.
    /// </summary>
    public const string IfOrderStored = "If-Order-Stored";
}
