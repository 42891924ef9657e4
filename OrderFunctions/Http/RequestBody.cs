using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace OrderFunctions.Http;

/// <summary>
/// A request body read into a pooled buffer, stopping as soon as it passes its limit, so an oversized body is refused
/// without being held in memory. The limit depends on the first byte: an object is one order, an array many.
/// </summary>
public sealed class RequestBody : IDisposable
{
    /// <summary>Limit for a body holding one order (a JSON object).</summary>
    public const int SingleOrderLimit = 64 * 1024;

    /// <summary>Limit for a body holding many orders (a JSON array or NDJSON): room for 10,000 orders.</summary>
    public const int BatchLimit = 4 * 1024 * 1024;

    private byte[]? _buffer;

    private RequestBody(byte[]? buffer, int length, int? exceededLimit)
    {
        _buffer = buffer;
        Length = length;
        ExceededLimit = exceededLimit;
    }

    public int Length { get; }

    /// <summary>The limit the body passed, or null when it was read whole.</summary>
    public int? ExceededLimit { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public static async Task<RequestBody> ReadAsync(HttpRequest request, bool manyOrders, CancellationToken cancellationToken)
    {
        // Before the first byte the kind of body is unknown: only a declared length past the larger limit is refused here.
        if (request.ContentLength > BatchLimit) return new RequestBody(null, 0, BatchLimit);
        int? limit = manyOrders ? BatchLimit : null;

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(request.ContentLength ?? 4096, BatchLimit) + 1);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, BatchLimit + 1));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                var read = await ReadSomeAsync(request, buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                limit ??= LimitFor(buffer.AsSpan(0, length));
                if (length > (limit ?? BatchLimit))
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new RequestBody(null, 0, limit ?? BatchLimit);
                }
            }
            return new RequestBody(buffer, length, null);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    // Kestrel refuses most malformed bodies with a BadHttpRequestException (408, 413, 400), but a chunk size past int32
    // ("FFFFFFFFF") surfaces as an IOException ("Bad chunk size data", an OverflowException inside): still the
    // client's malformed request, so it becomes the same 400 refusal, not a 500. A caller that went away is not this.
    private static async ValueTask<int> ReadSomeAsync(HttpRequest request, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await request.Body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.GetType() == typeof(IOException) && !request.HttpContext.RequestAborted.IsCancellationRequested
            && !cancellationToken.IsCancellationRequested)
        {
            throw new BadHttpRequestException($"The request body could not be read: {ex.Message}", StatusCodes.Status400BadRequest, ex);
        }
    }

    // Null until the first non-blank byte has arrived.
    private static int? LimitFor(ReadOnlySpan<byte> start)
    {
        var first = start.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0) return null;
        return start[first] == (byte)'[' ? BatchLimit : SingleOrderLimit;
    }

    public void Dispose()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
    }
}
