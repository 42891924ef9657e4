using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace OrderFunctions.Tests.Support;

/// <summary>
/// A response as every in-process test looks at it, whichever door of <see cref="StandaloneApplication"/> it came
/// through (the in-memory server, a loopback socket, a context of the test's own): status, the whole Content-Type,
/// the body as text and the headers, each as one string.
/// </summary>
public sealed record ApiResponse(int Status, string? ContentType, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>A header's value, or null when the response has none of that name.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The keys of a validation problem's <c>errors</c> (none when it has no <c>errors</c>).</summary>
    public string[] ErrorKeys =>
        Json.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).ToArray() : [];

    /// <summary>The ids of a page's <c>items</c>, in order.</summary>
    public long[] ItemIds => Json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ToArray();

    /// <summary>A page's <c>next</c> cursor.</summary>
    public string? Next => Json.GetProperty("next").GetString();

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            await response.Content.ReadAsStringAsync(), headers);
    }

    /// <summary>What a context's response holds once the app (or a result) has written to it.</summary>
    public static async Task<ApiResponse> ReadAsync(HttpResponse response)
    {
        if (response.Body.CanSeek) response.Body.Position = 0;
        using var reader = new StreamReader(response.Body, Encoding.UTF8, leaveOpen: true);
        var body = await reader.ReadToEndAsync();
        var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return new ApiResponse(response.StatusCode, response.ContentType, body, headers);
    }
}
