using System.Globalization;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;

namespace OrderFunctions.Http;

/// <summary>
/// Bytes of request bodies held in memory at once, across every POST being read and parsed
/// (<see cref="OrderStorageOptions.MaxBufferedRequestBytes"/>). The write queue's order budget bounds what waits for
/// the writer; this bounds what comes before it, so a flood of large arrays cannot hold hundreds of 4 MiB buffers while
/// they wait for a core to parse them. Counted in the pooled buffers' real sizes; a body larger than the whole budget
/// is still read when no other body is held.
/// </summary>
public sealed class RequestBodyBudget(IOptions<OrderStorageOptions> options)
{
    private readonly long _budget = options.Value.MaxBufferedRequestBytes;
    private readonly TimeSpan _retryAfter = TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);
    private long _held;

    /// <summary>Bytes held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>
    /// Takes <paramref name="bytes"/>, or answers why not (the 503 to give) and takes nothing. <paramref name="mine"/>:
    /// what the caller already holds (a body growing its buffer), which does not count as another body held.
    /// </summary>
    public OrderStoreUnavailableException? TryTake(long bytes, long mine = 0)
    {
        var held = Interlocked.Read(ref _held);
        while (true)
        {
            if (held > mine && held > _budget - bytes)
            {
                return new OrderStoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
                    $"too many request bodies are being read ({held:N0} bytes are held, this one needs {bytes:N0}, and " +
                    $"{OrderStorageOptions.SectionName}:{nameof(OrderStorageOptions.MaxBufferedRequestBytes)} is {_budget:N0})"), _retryAfter);
            }
            var seen = Interlocked.CompareExchange(ref _held, held + bytes, held);
            if (seen == held) return null;
            held = seen;
        }
    }

    public void Give(long bytes) => Interlocked.Add(ref _held, -bytes);
}
