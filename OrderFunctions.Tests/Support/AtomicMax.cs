namespace OrderFunctions.Tests.Support;

/// <summary>The largest value seen by racing threads, kept without a lock.</summary>
public static class AtomicMax
{
    /// <summary>Sets <paramref name="target"/> to <paramref name="value"/> when that is larger.</summary>
    public static void Raise(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var before = Interlocked.CompareExchange(ref target, value, seen);
            if (before == seen) return;
            seen = before;
        }
    }
}
