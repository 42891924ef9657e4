namespace OrderFunctions.Storage;

/// <summary>
/// An amount held at once across requests (orders queued for the writer, orders waiting for the order they follow,
/// bytes of request bodies), taken before the work and given back after it. A request larger than the whole limit is
/// still admitted when nothing else is held, so every request the API allows can be served.
/// </summary>
public sealed class AdmissionBudget(long limit)
{
    private long _held;

    public long Limit { get; } = limit;

    /// <summary>The amount held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>
    /// Takes <paramref name="amount"/>, or takes nothing and returns false. <paramref name="mine"/>: what the caller
    /// already holds (a body growing its buffer), which does not count as another request holding the budget.
    /// </summary>
    public bool TryTake(long amount, long mine = 0)
    {
        var held = Interlocked.Read(ref _held);
        while (true)
        {
            if (held > mine && held > Limit - amount) return false;
            var seen = Interlocked.CompareExchange(ref _held, held + amount, held);
            if (seen == held) return true;
            held = seen;
        }
    }

    public void Give(long amount) => Interlocked.Add(ref _held, -amount);
}
