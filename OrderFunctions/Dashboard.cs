using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using OrderFunctions.Http;

namespace OrderFunctions;

/// <summary>
/// <c>GET /API/dashboard</c>, anonymous: one self-contained page (Dashboard/dashboard.html, embedded in this assembly)
/// that charts orders per minute, volume and VWAP per market, the newest orders and the store's health. It loads
/// nothing from elsewhere (no CDN: its script and style are inline, allowed by hash in its Content-Security-Policy);
/// its data calls go to this API with the function key the user types, kept in the tab's sessionStorage only.
/// </summary>
public sealed class Dashboard
{
    public const string ResourceName = "dashboard.html";

    private static readonly Lazy<(byte[] Body, string Policy)> Page = new(() =>
    {
        using var stream = typeof(Dashboard).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"The {ResourceName} resource is missing from {typeof(Dashboard).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var html = reader.ReadToEnd();
        return (Encoding.UTF8.GetBytes(html), ContentSecurityPolicy(html));
    });

    /// <summary>The page's bytes.</summary>
    public static ReadOnlyMemory<byte> Content => Page.Value.Body;

    /// <summary>
    /// Only this page's own inline script and style (by SHA-256), requests to this origin, nothing else: no other
    /// script can run in the page that holds the key, and the page cannot be framed.
    /// </summary>
    public static string Policy => Page.Value.Policy;

    [Function(nameof(Dashboard))]
    [EndpointSummary("Dashboard page")]
    [EndpointDescription("An HTML page charting orders per minute, volume and VWAP per market over a chosen range, the most recent orders and the " +
        "store's health. Anonymous; its data calls send the function key the user types (kept in sessionStorage for the tab only). Everything it " +
        "needs is in the page: no CDN, works offline.")]
    [Tags("Service")]
    [ProducesResponseType<string>(200, "text/html; charset=utf-8", Description = "The dashboard page.")]
    public Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = OrderRoutes.Dashboard)] HttpRequest request)
    {
        var headers = request.HttpContext.Response.Headers;
        headers.ContentSecurityPolicy = Policy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Task.FromResult<IResult>(TypedResults.Bytes(Page.Value.Body, "text/html; charset=utf-8"));
    }

    private static string ContentSecurityPolicy(string html) =>
        $"default-src 'none'; script-src {Hash(html, "script")}; style-src {Hash(html, "style")}; connect-src 'self'; "
        + "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    // The hash of the text between <tag> and </tag>, as CSP computes it (over the UTF-8 bytes).
    private static string Hash(string html, string tag)
    {
        var open = html.IndexOf($"<{tag}>", StringComparison.Ordinal);
        var close = html.IndexOf($"</{tag}>", StringComparison.Ordinal);
        if (open < 0 || close < open) throw new InvalidOperationException($"{ResourceName} has no <{tag}> element.");
        var text = html[(open + tag.Length + 2)..close];
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";
    }
}
