using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace OrderFunctions.Tests.Support;

/// <summary>Real <see cref="HttpRequest"/>s for in-process calls, and an <see cref="IResult"/> executed into a response.</summary>
public static class HttpResultRunner
{
    public static HttpRequest Request(IServiceProvider services, string body, string? contentType = "application/json",
        string method = "POST", string path = "/API/orders")
        => Request(services, Encoding.UTF8.GetBytes(body), contentType, method, path);

    public static HttpRequest Request(IServiceProvider services, byte[] body, string? contentType = "application/json",
        string method = "POST", string path = "/API/orders")
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = method;
        context.Request.Path = path;
        context.Request.ContentType = contentType;
        context.Request.ContentLength = body.Length;
        context.Request.Body = new MemoryStream(body);
        return context.Request;
    }

    /// <summary>
    /// Runs <paramref name="result"/> as the host would (with the host's <paramref name="services"/>, so its JSON options
    /// apply) and returns what a client would receive.
    /// </summary>
    public static async Task<ExecutedResponse> ExecuteAsync(IResult result, IServiceProvider? services = null)
    {
        services ??= new ServiceCollection().AddLogging().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        var body = new MemoryStream();
        context.Response.Body = body;
        await result.ExecuteAsync(context);
        var text = Encoding.UTF8.GetString(body.ToArray());
        return new ExecutedResponse(context.Response.StatusCode, context.Response.ContentType, context.Response.Headers, text);
    }
}

public sealed record ExecutedResponse(int StatusCode, string? ContentType, IHeaderDictionary Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The keys of a validation problem's <c>errors</c> object.</summary>
    public IReadOnlyList<string> ErrorKeys =>
        Json.TryGetProperty("errors", out var errors) ? errors.EnumerateObject().Select(p => p.Name).ToList() : [];
}
