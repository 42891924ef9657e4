using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using OrderFunctions.Orders;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// Every error the API answers, as RFC 9457 problem details (<c>application/problem+json</c>). Functions has no
/// ProblemDetails middleware, so the functions return these results themselves.
/// </summary>
public static class Problems
{
    public static ValidationProblem Validation(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary());

    public static ProblemHttpResult UnsupportedMediaType() => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported Media Type",
        detail: "Request must be JSON: send the order as application/json (many orders: a JSON array, or application/x-ndjson).");

    /// <summary>415 for a compressed body: the service reads bodies as sent (identity) and says so rather than misreading one.</summary>
    public static ProblemHttpResult UnsupportedContentEncoding(string encoding) => TypedResults.Problem(
        statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Unsupported Media Type",
        detail: $"Content-Encoding '{encoding}' is not supported: send the body uncompressed (no Content-Encoding, or identity).");

    public static ProblemHttpResult TooLarge(long limitBytes) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Payload Too Large",
        detail: $"The body is larger than {limitBytes} bytes, the limit for this kind of request.");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) => TypedResults.Problem(
        statusCode: StatusCodes.Status409Conflict,
        title: "Conflict",
        detail: detail,
        extensions: extensions);

    /// <summary>The problem member that marks the one 503 after which orders may be stored: <c>"outcome": "unknown"</c>.</summary>
    public const string OutcomeExtension = "outcome";

    public static IResult Unavailable(OrderStoreUnavailableException ex) => ex.OutcomeUnknown
        ? ServiceUnavailable(OutcomeUnknownDetail(ex.Message), ex.RetryAfter, new Dictionary<string, object?> { [OutcomeExtension] = "unknown" })
        : ServiceUnavailable($"The order was not stored: {ex.Message}. Nothing was written; retry later.", ex.RetryAfter);

    /// <summary>
    /// The one 503 after which orders may be stored: the commit was sent but its answer was lost, and the store could
    /// not find out in time whether it landed.
    /// </summary>
    public static string OutcomeUnknownDetail(string reason) =>
        $"The outcome is unknown: {reason}. The orders may or may not have been stored. Resend the same request with the " +
        "same clientOrderId: an order already stored is answered 200 with Idempotent-Replayed, one that was not is stored now. " +
        "An order sent without a clientOrderId cannot be told apart: look for it with GET /API/orders before resending it.";

    public static IResult Unhealthy(string reason, TimeSpan retryAfter) =>
        ServiceUnavailable($"The order store cannot take orders now: {reason}.", retryAfter);

    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: "Send a valid function key in the x-functions-key header or the code query parameter.");

    /// <summary>401 when callers are configured and the request names none of them.</summary>
    public static ProblemHttpResult UnknownCaller() => TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unauthorized",
        detail: $"Send a caller's key in the {OrderHeaders.ApiKey} header (OrderAccess:Callers).");

    /// <summary>403: a known caller asked for what it may not do; <paramref name="errors"/> names the offending fields.</summary>
    public static ProblemHttpResult Forbidden(string detail, ValidationErrors? errors) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Forbidden",
        detail: detail,
        extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors.ToDictionary() });

    private static IResult ServiceUnavailable(string detail, TimeSpan retryAfter, IDictionary<string, object?>? extensions = null) => new WithHeader(
        TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service Unavailable", detail: detail,
            extensions: extensions),
        "Retry-After",
        ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The <c>type</c> of the 412 (RFC 9110's Precondition Failed, as the framework names the other statuses).</summary>
    public const string PreconditionFailedType = "https://tools.ietf.org/html/rfc9110#section-15.5.13";

    /// <summary>
    /// 412: the order named by <c>If-Order-Stored</c> was not stored within the wait; <c>username</c> and
    /// <c>clientOrderId</c> name it. Nothing of the request was written.
    /// </summary>
    public static ProblemHttpResult PrecedingOrderNotStored(string username, string clientOrderId) => TypedResults.Problem(
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "Precondition Failed",
        type: PreconditionFailedType,
        detail: $"The order '{clientOrderId}' of '{username}' that this request must follow is not stored; nothing of this request " +
            "was written: send it again once that order is stored.",
        extensions: new Dictionary<string, object?> { ["username"] = username, ["clientOrderId"] = clientOrderId });

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Not Found",
        detail: detail);

    /// <summary>500 for a failure no function expected: the trace id to quote, no exception text, stack or SQL.</summary>
    public static ProblemHttpResult Unexpected(string traceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: "Internal Server Error",
        detail: $"The service failed while handling this request. Quote traceId {traceId} when reporting it.",
        extensions: new Dictionary<string, object?> { [UnexpectedFailure.TraceIdExtension] = traceId });

    /// <summary>A request the server refused while it was read (408, 413, 400), with the server's own reason.</summary>
    public static ProblemHttpResult RequestRefused(int statusCode, string reason) => TypedResults.Problem(
        statusCode: statusCode,
        title: ReasonPhrases.GetReasonPhrase(statusCode),
        detail: reason);

    /// <summary>499 when the caller cancelled the request before it was answered.</summary>
    public static ProblemHttpResult ClientClosedRequest(string traceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status499ClientClosedRequest,
        title: "Client Closed Request",
        detail: "The request was cancelled before it was answered.",
        extensions: new Dictionary<string, object?> { [UnexpectedFailure.TraceIdExtension] = traceId });

    /// <summary>503 for a read: the store could not be read; nothing was changed either way.</summary>
    public static IResult ReadUnavailable(OrderStoreUnavailableException ex) =>
        ServiceUnavailable($"{char.ToUpperInvariant(ex.Message[0])}{ex.Message[1..]}; retry later.", ex.RetryAfter);
}

/// <summary>An <see cref="IResult"/> with one more response header (Retry-After, Idempotent-Replayed).</summary>
public sealed class WithHeader(IResult inner, string name, string value) : IResult, IStatusCodeHttpResult
{
    public IResult Inner { get; } = inner;
    public string Name { get; } = name;
    public string Value { get; } = value;
    public int? StatusCode => (Inner as IStatusCodeHttpResult)?.StatusCode;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers[Name] = Value;
        return Inner.ExecuteAsync(httpContext);
    }
}
