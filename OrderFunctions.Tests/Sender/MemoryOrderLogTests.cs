using System.Buffers;
using System.Text.Json;
using OrderFunctions.Client;
using OrderFunctions.Tests.Support;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>
/// The memory ring alone (no server): producers reserve positions against the acknowledged position, and a slot is
/// written again only after the consumer committed it.
/// </summary>
public sealed class MemoryOrderLogTests
{
    [Fact(Timeout = TestTimeouts.Server)]
    public async Task TryAppend_keeps_every_order_once_and_each_threads_order_when_producers_lap_a_small_ring()
    {
        const int Threads = 4, PerThread = 5000, Capacity = 64;
        using var log = new MemoryOrderLog(Capacity, ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow));
        var deadline = DateTime.UtcNow + TimeSpan.FromMilliseconds(TestTimeouts.Server / 2);
        var producers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
            {
                var order = Order(i, $"trader{t}", $"t{t}-{i:D5}");
                EnqueueStatus status;
                while ((status = log.TryAppend(order)) == EnqueueStatus.BufferFull && DateTime.UtcNow < deadline) Thread.Yield();
                Assert.Equal(EnqueueStatus.Accepted, status);
            }
        })).ToArray();

        // The one consumer: reads ready positions in order, checks the JSON it writes, commits a few at a time.
        var received = new List<string>();
        var body = new ArrayBufferWriter<byte>();
        using var writer = new Utf8JsonWriter(body);
        long position = 0, stuckAt = -1;
        var stuckSince = DateTime.UtcNow;
        while (received.Count < Threads * PerThread && DateTime.UtcNow < deadline)
        {
            body.ResetWrittenCount();
            writer.Reset(body);
            var state = position == log.Tail ? SlotState.Pending : log.WriteJson(position, writer);
            if (state == SlotState.Pending && position < log.Tail)
            {
                // A position a producer reserved in its block and has not written: skipped after a while, as the sender does.
                if (position != stuckAt) (stuckAt, stuckSince) = (position, DateTime.UtcNow);
                else if (DateTime.UtcNow - stuckSince > TimeSpan.FromMilliseconds(1) && log.TrySkip(position)) state = SlotState.Skip;
            }
            if (state == SlotState.Skip)
            {
                // Committed at once, as the sender commits a run of skipped positions: one thread's block can hold the
                // whole ring, and skipped up to the tail with nothing committed, the ring would stay full.
                position++;
                log.Commit(position);
                continue;
            }
            if (state != SlotState.Ready)
            {
                Thread.Yield();
                continue;
            }
            writer.Flush();
            using var document = JsonDocument.Parse(body.WrittenMemory);
            var written = document.RootElement.GetProperty("clientOrderId").GetString()!;
            Assert.Equal(written, log.Read(position).ClientOrderId);
            received.Add(written);
            position++;
            if (position % 7 == 0 || received.Count == Threads * PerThread) log.Commit(position);
        }
        await Task.WhenAll(producers);

        Assert.Equal(Threads * PerThread, received.Count);
        Assert.Equal(Threads * PerThread, received.Distinct().Count());
        for (var t = 0; t < Threads; t++)
        {
            var prefix = $"t{t}-";
            var mine = received.Where(id => id.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            Assert.Equal(Enumerable.Range(0, PerThread).Select(i => $"{prefix}{i:D5}"), mine);
        }
        Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(0)));
    }

    [Fact]
    public void TryAppend_answers_BufferFull_until_the_consumer_commits_when_the_ring_is_full()
    {
        using var log = new MemoryOrderLog(8, ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow));
        for (var i = 0; i < 8; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i)));
        Assert.Equal(EnqueueStatus.BufferFull, log.TryAppend(Order(8)));

        log.Commit(3);

        for (var i = 8; i < 11; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i)));
        Assert.Equal(EnqueueStatus.BufferFull, log.TryAppend(Order(11)));
        Assert.Equal((3, 11), (log.Acked, log.Tail));
        Assert.Equal(Order(10).Timestamp, log.Read(10).Timestamp);
    }

    [Fact]
    public void TryAppend_holds_exactly_the_capacity_when_the_ring_is_rounded_up_to_a_power_of_two()
    {
        using var log = new MemoryOrderLog(5, ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow));
        for (var i = 0; i < 5; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i)));
        Assert.Equal(EnqueueStatus.BufferFull, log.TryAppend(Order(5)));

        log.Commit(2);

        for (var i = 5; i < 7; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i)));
        Assert.Equal(EnqueueStatus.BufferFull, log.TryAppend(Order(7)));
        Assert.Equal(Order(6).Timestamp, log.Read(6).Timestamp);
    }

    [Fact]
    public void TryAppend_neither_refuses_nor_skips_a_position_when_this_thread_last_appended_far_ahead_in_another_log()
    {
        var prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        using var busy = new MemoryOrderLog(4096, prefix);
        for (var i = 0; i < 3000; i++) busy.TryAppend(Order(i)); // this thread's guess of the tail is now 3000
        using var log = new MemoryOrderLog(4, prefix);

        for (var i = 0; i < 4; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i)));
        Assert.Equal(EnqueueStatus.BufferFull, log.TryAppend(Order(4)));
        Assert.Equal((0, 4), (log.Acked, log.Tail));
        Assert.Equal(Order(3).Timestamp, log.Read(3).Timestamp);
    }

    [Fact]
    public void TryAppend_puts_the_order_in_a_new_block_at_the_tail_when_the_consumer_skipped_the_rest_of_the_threads_block()
    {
        using var log = new MemoryOrderLog(1024, ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow), AnyPace);
        for (var i = 0; i < 8; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, "me", $"me-{i}")));
        Assert.Equal(15, log.Tail); // positions 8 to 14 reserved in this thread's block, unused
        OnOtherThread(() => Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(100, "other", "other-0"))));
        Assert.Equal("other-0", log.Read(15).ClientOrderId);

        // The consumer gives up waiting for position 8 and skips the unused rest of the block.
        for (var position = 8; position < 15; position++) Assert.True(log.TrySkip(position));

        Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(8, "me", "me-8")));
        Assert.Equal(17, log.Tail); // not position 8: a new block (of one position) after the other thread's
        Assert.Equal("me-8", log.Read(16).ClientOrderId);
        var writer = new Utf8JsonWriter(new ArrayBufferWriter<byte>());
        Assert.Equal(SlotState.Skip, log.WriteJson(8, writer));
        Assert.Equal(SlotState.Ready, log.WriteJson(16, writer));
    }

    [Fact]
    public void TrySkip_refuses_a_position_that_holds_an_order_and_the_order_stays_readable()
    {
        using var log = new MemoryOrderLog(16, ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow));
        Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(0, "me", "me-0")));

        Assert.False(log.TrySkip(0));
        Assert.Equal(SlotState.Ready, log.WriteJson(0, new Utf8JsonWriter(new ArrayBufferWriter<byte>())));
        Assert.Equal("me-0", log.Read(0).ClientOrderId);
    }

    [Fact]
    public void Slot_keeps_a_whole_cache_line_between_the_data_of_neighbouring_slots()
    {
        // Producers on different cores write neighbouring slots at once; the ring's array is only 8-byte aligned.
        Assert.True(MemoryOrderLog.SlotBytes - MemoryOrderLog.SlotDataBytes >= 64,
            $"a slot of {MemoryOrderLog.SlotBytes} bytes holds {MemoryOrderLog.SlotDataBytes} bytes of data");
    }
}
