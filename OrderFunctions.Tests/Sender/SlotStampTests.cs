using OrderFunctions.Client;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// The word that decides, between a producer and the sender, whether a reserved position is written or skipped: exactly
/// one of them wins, and a slot that already belongs to a later lap of the ring is neither.
/// </summary>
public sealed class SlotStampTests
{
    [Theory]
    [InlineData(0L)] // a zeroed slot (a new ring, a new spool segment)
    [InlineData(5L)]
    public void TryClaim_takes_a_free_slot_once_and_TrySkip_then_fails(long position)
    {
        var stamp = position == 0 ? 0 : SlotStamp.Written(position - 4); // empty, or the order of the last lap (ring of 4)

        Assert.True(SlotStamp.TryClaim(ref stamp, position, SlotStamp.Claimed(position)));
        Assert.False(SlotStamp.TryClaim(ref stamp, position, SlotStamp.Claimed(position)));
        Assert.False(SlotStamp.TrySkip(ref stamp, position));
        Assert.Equal(SlotStamp.Claimed(position), stamp);
    }

    [Fact]
    public void TrySkip_takes_a_free_slot_and_TryClaim_then_fails()
    {
        var stamp = SlotStamp.Skipped(3); // skipped on the last lap of a ring of 4

        Assert.True(SlotStamp.TrySkip(ref stamp, 7));
        Assert.True(SlotStamp.TrySkip(ref stamp, 7)); // skipped already: still skipped
        Assert.False(SlotStamp.TryClaim(ref stamp, 7, SlotStamp.Written(7)));
        Assert.Equal(SlotStamp.Skipped(7), stamp);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TryClaim_and_TrySkip_leave_a_slot_of_a_later_lap_alone(bool written)
    {
        // A producer that held position 3 in its block while the sender skipped it and the ring came round to 7.
        var later = written ? SlotStamp.Written(7) : SlotStamp.Claimed(7);
        var stamp = later;

        Assert.False(SlotStamp.TryClaim(ref stamp, 3, SlotStamp.Claimed(3)));
        Assert.False(SlotStamp.TrySkip(ref stamp, 3));
        Assert.Equal(later, stamp);
    }

    [Fact]
    public void TryClaim_and_TrySkip_agree_on_one_winner_when_they_race()
    {
        for (var round = 0; round < 2000; round++)
        {
            long stamp = 0;
            using var start = new Barrier(2);
            var skipped = false;
            var position = round;
            var skipper = new Thread(() =>
            {
                start.SignalAndWait();
                skipped = SlotStamp.TrySkip(ref stamp, position);
            });
            skipper.Start();
            start.SignalAndWait();
            var claimed = SlotStamp.TryClaim(ref stamp, position, SlotStamp.Claimed(position));
            skipper.Join();

            Assert.True(claimed != skipped, $"round {round}: claimed {claimed}, skipped {skipped}");
            Assert.Equal(claimed ? SlotStamp.Claimed(round) : SlotStamp.Skipped(round), stamp);
        }
    }
}
