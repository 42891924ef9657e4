using System.Net;
using System.Text.Json;

namespace OrderFunctions.Tests.Support;

/// <summary>How the contract suites that run on both hosts read an answer: its JSON body, or a problem of a given status.</summary>
public static class ContractResponses
{
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/> in both the status line and the body; returns the body.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
