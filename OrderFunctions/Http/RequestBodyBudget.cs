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
    private readonly AdmissionBudget _budget = new(options.Value.MaxBufferedRequestBytes);
    private readonly TimeSpan _retryAfter = TimeSpan.FromSeconds(options.Value.RetryAfterSeconds);

    /// <summary>Bytes held now.</summary>
    public long Held => _budget.Held;

    /// <summary>
    /// Takes <paramref name="bytes"/>, or answers why not (the 503 to give) and takes nothing. <paramref name="mine"/>:
    /// what the caller already holds (a body growing its buffer), which does not count as another body held.
    /// </summary>
    public OrderStoreUnavailableException? TryTake(long bytes, long mine = 0)
    {
        if (_budget.TryTake(bytes, mine)) return null;
        return new OrderStoreUnavailableException(string.Create(CultureInfo.InvariantCulture,
            $"too many request bodies are being read ({_budget.Held:N0} bytes are held, this one needs {bytes:N0}, and " +
            $"{OrderStorageOptions.SectionName}:{nameof(OrderStorageOptions.MaxBufferedRequestBytes)} is {_budget.Limit:N0})"), _retryAfter);
    }

    public void Give(long bytes) => _budget.Give(bytes);
}
