using Microsoft.AspNetCore.Http;
using OrderFunctions.Http;
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
