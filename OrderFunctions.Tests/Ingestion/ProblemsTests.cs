using Microsoft.AspNetCore.Http;
using OrderFunctions.Http;
using OrderFunctions.Orders;
using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

using OrderFunctions.Tests.Hosting;
namespace OrderFunctions.Tests.Ingestion;

/// <summary>Every problem document the API answers, as a client receives it: status, title, detail, headers.</summary>
public sealed class ProblemsTests
{
    public static TheoryData<string, int, string, string> Documents() => new()
    {
        { "unsupported", 415, "Unsupported Media Type",
            "Request must be JSON: send the order as application/json (many orders: a JSON array, or application/x-ndjson)." },
        { "too large", 413, "Payload Too Large", "The body is larger than 65536 bytes, the limit for this kind of request." },
        { "conflict", 409, "Conflict", "clientOrderId 'c-1' was already used." },
        { "unauthorized", 401, "Unauthorized", "Send a valid function key in the x-functions-key header or the code query parameter." },
        { "not found", 404, "Not Found", "There is no order with id 7." },
        { "unavailable", 503, "Service Unavailable", "The order was not stored: the disk is full. Nothing was written; retry later." },
        { "unhealthy", 503, "Service Unavailable", "The order store cannot take orders now: the disk is full." },
        { "read unavailable", 503, "Service Unavailable", "The database file cannot be opened; retry later." },
        { "compressed", 415, "Unsupported Media Type",
            "Content-Encoding 'gzip' is not supported: send the body uncompressed (no Content-Encoding, or identity)." },
        { "unknown caller", 401, "Unauthorized", "Send a caller's key in the x-api-key header (OrderAccess:Callers)." },
        { "forbidden", 403, "Forbidden", "desk1 may not post orders for this username." },
        { "outcome unknown", 503, "Service Unavailable", "The outcome is unknown: the commit's answer was lost. The orders may or " +
            "may not have been stored. Resend the same request with the same clientOrderId: an order already stored is answered " +
            "200 with Idempotent-Replayed, one that was not is stored now. An order sent without a clientOrderId cannot be told " +
            "apart: look for it with GET /API/orders before resending it." },
    };

    private static IResult Problem(string name) => name switch
    {
        "unsupported" => Problems.UnsupportedMediaType(),
        "too large" => Problems.TooLarge(65536),
        "conflict" => Problems.Conflict("clientOrderId 'c-1' was already used."),
        "unauthorized" => Problems.Unauthorized(),
        "not found" => Problems.NotFound("There is no order with id 7."),
        "unavailable" => Problems.Unavailable(new OrderStoreUnavailableException("the disk is full", TimeSpan.FromSeconds(2))),
        "unhealthy" => Problems.Unhealthy("the disk is full", TimeSpan.FromSeconds(2)),
        "compressed" => Problems.UnsupportedContentEncoding("gzip"),
        "unknown caller" => Problems.UnknownCaller(),
        "forbidden" => Problems.Forbidden("desk1 may not post orders for this username.", errors: null),
        "outcome unknown" => Problems.Unavailable(new OrderStoreUnavailableException("the commit's answer was lost", TimeSpan.FromSeconds(2))
        {
            OutcomeUnknown = true,
        }),
        _ => Problems.ReadUnavailable(new OrderStoreUnavailableException("the database file cannot be opened", TimeSpan.FromSeconds(2))),
    };

    [Theory(Timeout = TestTimeouts.Server)]
    [MemberData(nameof(Documents))]
    public async Task Problem_is_an_rfc_9457_document_with_its_status_title_and_detail(string name, int status, string title, string detail)
    {
        var result = Problem(name);

        await using var app = new StandaloneApplication();
        var response = await app.ExecuteAsync(result);

        Assert.Equal(status, response.Status);
        Assert.Equal(status, ((IStatusCodeHttpResult)result).StatusCode);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal(status, response.Json.GetProperty("status").GetInt32());
        Assert.Equal(title, response.Json.GetProperty("title").GetString());
        Assert.Equal(detail, response.Json.GetProperty("detail").GetString());
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(false, null)]
    [InlineData(true, "unknown")]
    public async Task Unavailable_marks_outcome_unknown_only_when_the_commit_may_have_landed(bool outcomeUnknown, string? outcome)
    {
        var result = Problems.Unavailable(new OrderStoreUnavailableException("the commit's answer was lost", TimeSpan.FromSeconds(2))
        {
            OutcomeUnknown = outcomeUnknown,
        });

        await using var app = new StandaloneApplication();
        var response = await app.ExecuteAsync(result);

        Assert.Equal(outcome, response.Json.TryGetProperty(Problems.OutcomeExtension, out var member) ? member.GetString() : null);
        Assert.Equal(outcomeUnknown, response.Json.GetProperty("detail").GetString()!.StartsWith("The outcome is unknown", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Forbidden_names_the_offending_fields_in_errors_only_when_it_is_given_them()
    {
        var errors = new ValidationErrors();
        errors.Add("username", "desk1 may not use it");

        await using var app = new StandaloneApplication();
        var named = await app.ExecuteAsync(Problems.Forbidden("No.", errors));
        var bare = await app.ExecuteAsync(Problems.Forbidden("No.", errors: null));

        Assert.Equal(["desk1 may not use it"], named.Json.GetProperty("errors").GetProperty("username").EnumerateArray().Select(e => e.GetString()));
        Assert.False(bare.Json.TryGetProperty("errors", out _));
    }

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData(1.0, "1")]
    [InlineData(1.5, "2")]
    [InlineData(30.0, "30")]
    public async Task Unavailable_sends_retry_after_in_whole_seconds_rounded_up(double seconds, string header)
    {
        var result = Problems.Unavailable(new OrderStoreUnavailableException("the disk is full", TimeSpan.FromSeconds(seconds)));

        await using var app = new StandaloneApplication();
        var response = await app.ExecuteAsync(result);

        Assert.Equal(header, response.Header("Retry-After"));
    }
}
