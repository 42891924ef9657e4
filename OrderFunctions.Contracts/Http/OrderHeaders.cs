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
    /// A precondition on the ingestion routes: store this request only once the order it names is stored (visible to a
    /// read), so a sender with two requests in flight keeps its orders in id order. The value is
    /// <c>&lt;username&gt;/&lt;clientOrderId&gt;</c>, each part percent-encoded (<see cref="PrecedingOrder"/> writes and
    /// reads it). The server waits a short while (<c>OrderStorage:PrecedingOrderWait</c>) for that order; when it is
    /// still not stored, it answers 412 Precondition Failed and writes nothing.
    /// </summary>
    public const string IfOrderStored = "If-Order-Stored";
}
