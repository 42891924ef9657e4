using OrderFunctions.Client;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// How producer threads take positions (<see cref="BlockReservation"/>): blocks sized by each thread's pace, and the
/// lowest position a producer may still write, which the spool's thread keeps ready.
/// </summary>
public sealed class BlockReservationTests
{
    private long _limit = long.MaxValue / 2;

    [Fact]
    public void A_thread_that_uses_its_blocks_up_quickly_doubles_them_up_to_MaxBlock()
    {
        var reservation = new BlockReservation(0, AnyPace);
        var block = reservation.Current;
        var ends = new List<long>();
        for (var i = 0; i < 2 * 1023 + 3 * BlockReservation.MaxBlock; i++)
        {
            Assert.Equal(i, reservation.TryNext(block, ref _limit, 0));
            if (ends.Count == 0 || ends[^1] != reservation.Tail) ends.Add(reservation.Tail);
        }

        var sizes = ends.Zip(ends.Prepend(0), (end, start) => end - start).ToList();
        Assert.Equal(
            new long[] { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512 }.Concat(Enumerable.Repeat((long)BlockReservation.MaxBlock, sizes.Count - 10)),
            sizes);
        Assert.True(sizes.Count >= 13, $"{sizes.Count} blocks");
    }

    [Fact]
    public void A_thread_that_uses_its_blocks_up_slowly_takes_one_position_at_a_time_and_leaves_no_gap()
    {
        var reservation = new BlockReservation(0, TimeSpan.Zero);
        var block = reservation.Current;

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(i, reservation.TryNext(block, ref _limit, 0));
            Assert.Equal(i + 1, reservation.Tail);
        }
    }

    [Fact]
    public void A_block_used_up_slowly_halves_the_next_and_quick_ones_double_it_again()
    {
        var reservation = new BlockReservation(0, TimeSpan.FromMilliseconds(200));
        var block = reservation.Current;
        for (var i = 0; i < 8; i++) reservation.TryNext(block, ref _limit, 0);
        Assert.Equal(15, reservation.Tail); // blocks of 1, 2 and 4, each used up quickly, then a block of 8 at 7

        for (var i = 8; i < 15; i++) reservation.TryNext(block, ref _limit, 0);
        Thread.Sleep(300); // the block of 8 took longer than 200 ms
        Assert.Equal(15, reservation.TryNext(block, ref _limit, 0));
        Assert.Equal(19, reservation.Tail); // a block of 4

        for (var i = 16; i < 20; i++) reservation.TryNext(block, ref _limit, 0);
        Assert.Equal(27, reservation.Tail); // used up quickly: a block of 8
    }

    [Fact]
    public void A_block_is_cut_to_the_room_left_below_the_limit()
    {
        var reservation = new BlockReservation(0, AnyPace);
        var block = reservation.Current;
        long limit = 10;

        for (var i = 0; i < 10; i++) Assert.Equal(i, reservation.TryNext(block, ref limit, 0));
        Assert.Equal(-1, reservation.TryNext(block, ref limit, 0));
        Assert.Equal(10, reservation.Tail); // blocks of 1, 2 and 4, then 3 of the 8 asked for
    }

    [Fact]
    public void LowestUnwritten_is_the_oldest_position_a_thread_has_reserved_and_not_yet_taken_or_the_tail()
    {
        var reservation = new BlockReservation(0, AnyPace);
        var mine = reservation.Current;
        for (var i = 0; i < 8; i++) reservation.TryNext(mine, ref _limit, 0); // a block of 8 at 7, position 7 taken
        OnOtherThread(() =>
        {
            var theirs = reservation.Current;
            for (var i = 0; i < 2; i++) reservation.TryNext(theirs, ref _limit, 0); // blocks of 1 (15) and 2 (16, 17): 16 taken
        });
        Assert.Equal(18, reservation.Tail);

        // Position 7 may still be being written (a producer takes a position, then writes it).
        Assert.Equal(7, reservation.LowestUnwritten());
        for (var i = 8; i < 15; i++) reservation.TryNext(mine, ref _limit, 0);
        Assert.Equal(16, reservation.LowestUnwritten()); // this block used up (not appending); theirs: 16 taken, 17 not
    }
}
