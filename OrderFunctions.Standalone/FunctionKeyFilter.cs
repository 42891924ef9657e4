using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using OrderFunctions.Http;

namespace OrderFunctions.Standalone;

/// <summary>
/// What the Functions host does for <c>AuthorizationLevel.Function</c>: a request needs a configured key in the
/// <c>x-functions-key</c> header or the <c>code</c> query parameter, else 401. Endpoints marked
/// <c>AllowAnonymous</c> (health) stay open, and so does everything when no key is configured.
/// </summary>
public sealed class FunctionKeyFilter : IEndpointFilter
{
    public const string HeaderName = "x-functions-key";
    public const string QueryName = "code";

    // Keys are compared as SHA-256 hashes: every comparison runs over 32 bytes, so neither a key's length nor the
    // position of the first differing character shows in the time an answer takes.
    private readonly byte[][] _keyHashes;

    public FunctionKeyFilter(IOptions<OrderApiOptions> options)
    {
        _keyHashes = [.. options.Value.Keys.Where(k => !string.IsNullOrEmpty(k)).Select(k => SHA256.HashData(Encoding.UTF8.GetBytes(k)))];
    }

    public bool IsOpen => _keyHashes.Length == 0;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (IsOpen || http.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null || IsValid(PresentedKey(http.Request)))
        {
            return next(context);
        }
        return ValueTask.FromResult<object?>(Problems.Unauthorized());
    }

    private static string? PresentedKey(HttpRequest request) =>
        request.Headers.TryGetValue(HeaderName, out var header) && header.Count > 0 ? header[0]
        : request.Query.TryGetValue(QueryName, out var code) && code.Count > 0 ? code[0]
        : null;

    private bool IsValid(string? presented)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presented), hash);
        var match = false;
        foreach (var key in _keyHashes) match |= CryptographicOperations.FixedTimeEquals(hash, key);
        return match;
    }
}
