using System.Buffers;
using System.Numerics;
using Microsoft.AspNetCore.Http;
using OrderFunctions.Storage;

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
    private readonly RequestBodyBudget? _budget;

    private RequestBody(byte[]? buffer, int length, int? exceededLimit, RequestBodyBudget? budget = null)
    {
        _buffer = buffer;
        Length = length;
        ExceededLimit = exceededLimit;
        _budget = budget;
    }

    private RequestBody(OrderStoreUnavailableException overBudget) => OverBudget = overBudget;

    public int Length { get; }

    /// <summary>The limit the body passed, or null when it was read whole.</summary>
    public int? ExceededLimit { get; }

    /// <summary>Why the body was not read (the bodies held at once are at their budget: a 503), or null.</summary>
    public OrderStoreUnavailableException? OverBudget { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>
    /// Reads the body into a pooled buffer taken from <paramref name="budget"/> (when given): a body the budget has no
    /// room for is not read (<see cref="OverBudget"/>), and the buffer's bytes go back to it on <see cref="Dispose"/>.
    /// </summary>
    public static async Task<RequestBody> ReadAsync(HttpRequest request, bool manyOrders, RequestBodyBudget? budget,
        CancellationToken cancellationToken)
    {
        // Before the first byte the kind of body is unknown: only a declared length past the larger limit is refused here.
        if (request.ContentLength > BatchLimit) return new RequestBody(null, 0, BatchLimit);
        int? limit = manyOrders ? BatchLimit : null;

        var buffer = Rent((int)Math.Min(request.ContentLength ?? 4096, BatchLimit) + 1, budget, mine: 0, out var busy);
        if (buffer is null) return new RequestBody(busy!);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = Rent(Math.Min(buffer.Length * 2, BatchLimit + 1), budget, mine: buffer.Length, out busy);
                    if (larger is null)
                    {
                        Return(buffer, budget);
                        return new RequestBody(busy!);
                    }
                    buffer.AsSpan(0, length).CopyTo(larger);
                    Return(buffer, budget);
                    buffer = larger;
                }
                var read = await ReadSomeAsync(request, buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0) break;
                length += read;
                limit ??= LimitFor(buffer.AsSpan(0, length));
                if (length > (limit ?? BatchLimit))
                {
                    Return(buffer, budget);
                    return new RequestBody(null, 0, limit ?? BatchLimit);
                }
            }
            return new RequestBody(buffer, length, null, budget);
        }
        catch
        {
            Return(buffer, budget);
            throw;
        }
    }

    // The size ArrayPool<byte>.Shared hands out for a request of minimumLength (its buckets are powers of two from 16).
    private static int RentedSize(int minimumLength) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, minimumLength));

    // A buffer of at least minimumLength, its bytes taken from the budget first; null (and why) when the budget has no room.
    // mine: the bytes of this body's current buffer, about to be returned.
    private static byte[]? Rent(int minimumLength, RequestBodyBudget? budget, int mine, out OrderStoreUnavailableException? refused)
    {
        var size = RentedSize(minimumLength);
        refused = budget?.TryTake(size, mine);
        if (refused is not null) return null;
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        if (buffer.Length != size) budget?.Give(size - buffer.Length); // keeps the count exact should the pool round otherwise
        return buffer;
    }

    private static void Return(byte[] buffer, RequestBodyBudget? budget)
    {
        budget?.Give(buffer.Length);
        ArrayPool<byte>.Shared.Return(buffer);
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
        if (_buffer is not null) Return(_buffer, _budget);
        _buffer = null;
    }
}
