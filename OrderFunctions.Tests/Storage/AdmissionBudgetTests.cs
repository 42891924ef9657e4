using OrderFunctions.Storage;
using OrderFunctions.Tests.Support;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// The amount held across requests (queued orders, waiting orders, request bytes): taken whole or not at all, given
/// back exactly, and a request larger than the limit taken only when nothing else is held.
/// </summary>
public sealed class AdmissionBudgetTests
{
    [Fact]
    public void TryTake_takes_exactly_the_amount_and_Give_returns_it()
    {
        var budget = new AdmissionBudget(10);

        var first = budget.TryTake(3);
        var second = budget.TryTake(7);
        var heldWhenFull = budget.Held;
        var beyond = budget.TryTake(1);
        budget.Give(3);

        Assert.True(first && second);
        Assert.Equal(10, heldWhenFull);
        Assert.False(beyond);
        Assert.Equal(7, budget.Held);
    }

    [Fact]
    public void TryTake_takes_more_than_the_limit_only_when_nothing_else_is_held()
    {
        var budget = new AdmissionBudget(10);

        var large = budget.TryTake(25);
        var whileLarge = budget.TryTake(1);
        budget.Give(25);
        var afterwards = budget.TryTake(1);
        var largeWhileOneHeld = budget.TryTake(25);

        Assert.True(large);
        Assert.False(whileLarge);
        Assert.True(afterwards);
        Assert.False(largeWhileOneHeld);
        Assert.Equal(1, budget.Held);
    }

    [Fact]
    public void TryTake_counts_what_the_caller_already_holds_as_its_own()
    {
        // A body growing its buffer: 8 held by it alone, it asks for 6 more of a limit of 10.
        var budget = new AdmissionBudget(10);
        budget.TryTake(8);

        Assert.True(budget.TryTake(6, mine: 8));
        Assert.False(budget.TryTake(1, mine: 0));
        Assert.Equal(14, budget.Held);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task TryTake_and_Give_balance_and_never_exceed_the_limit_when_many_threads_race()
    {
        // Each thread takes 1 and gives it back, 100,000 times; a take answered true must have taken (a lost race that
        // answered true without taking would leave the budget below zero once given back).
        var budget = new AdmissionBudget(4);
        var inside = 0;
        var most = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                if (!budget.TryTake(1)) continue;
                var now = Interlocked.Increment(ref inside);
                AtomicMax.Raise(ref most, now);
                Interlocked.Decrement(ref inside);
                budget.Give(1);
            }
        })));

        Assert.Equal(0, budget.Held);
        Assert.InRange(most, 1, 4);
    }
}
