using System.Text;
using OrderFunctions.Http;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>
/// <c>Prefer: return=minimal</c> on the batch route as RFC 7240 lets a client write it: among other preferences, in
/// any case, with whitespace around its <c>=</c>, with parameters; anything else gets the full list.
/// </summary>
public sealed class PreferHeaderTests
{
    private static readonly string Batch = $"[{TestOrders.Json(clientOrderId: "a")},{TestOrders.Json(clientOrderId: "b")}]";

    [Theory(Timeout = TestTimeouts.Server)]
    [InlineData("return=minimal", true)]
    [InlineData("RETURN=MINIMAL", true)]
    [InlineData("respond-async,\treturn=minimal", true)]      // a tab is whitespace too (OWS)
    [InlineData("return = minimal", true)]                     // BWS around '='
    [InlineData("return=minimal; foo=bar, wait=10", true)]
    [InlineData("return=representation", false)]
    [InlineData("return=minimalist", false)]
    [InlineData("respond-async", false)]
    public async Task Post_batch_answers_the_receipt_only_when_Prefer_asks_for_return_minimal(string prefer, bool minimal)
    {
        await using var api = new StandaloneApplication();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{OrderRoutes.Prefix}/{OrderRoutes.Batch}")
        {
            Content = new StringContent(Batch, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation(OrderHeaders.Prefer, prefer);

        using var response = await api.Client.SendAsync(request);
        var answer = await ApiResponse.ReadAsync(response);

        Assert.Equal(201, answer.Status);
        Assert.Equal(minimal ? OrderHeaders.ReturnMinimal : null, answer.Header(OrderHeaders.PreferenceApplied));
        Assert.Equal(minimal ? System.Text.Json.JsonValueKind.Object : System.Text.Json.JsonValueKind.Array, answer.Json.ValueKind);
    }
}
