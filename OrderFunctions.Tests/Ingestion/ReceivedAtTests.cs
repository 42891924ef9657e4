using OrderFunctions.Http;

namespace OrderFunctions.Tests.Ingestion;

/// <summary>The audit trail's clock: UTC, in whole microseconds (what PostgreSQL keeps), never ahead of the clock.</summary>
public sealed class ReceivedAtTests
{
    [Fact]
    public void Now_is_the_utc_clock_cut_to_whole_microseconds_when_called()
    {
        for (var i = 0; i < 200; i++)
        {
            var before = DateTime.UtcNow;
            var now = ReceivedAt.Now();
            var after = DateTime.UtcNow;

            Assert.Equal(DateTimeKind.Utc, now.Kind);
            Assert.Equal(0, now.Ticks % 10);
            Assert.InRange(now.Ticks, before.Ticks - before.Ticks % 10, after.Ticks);
        }
    }
}
