using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OrderFunctions.Client;
using OrderFunctions.Client.Spool;
using OrderFunctions.Tests.Support;
using static OrderFunctions.Tests.Sender.SenderTestData;

namespace OrderFunctions.Tests.Sender;

/// <summary>The spool: what survives, what is skipped, what is refused, who may open it.</summary>
public sealed class SpoolTests : IDisposable
{
    private readonly string _spool = NewSpoolDirectory();

    public void Dispose() => DeleteDirectory(_spool);

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_skips_a_torn_tail_with_a_log_line_and_sends_the_records_before_it()
    {
        // Ten orders spooled while the server is away; the process "dies" mid-append of the tenth (file cut inside it).
        var result = await SpoolWhileAwayAsync(10);
        Assert.Equal(10, result.OrdersLeft);
        var segment = Directory.GetFiles(_spool, "segment-*.log").Order().First(); // the first segment; the next one is mapped ahead, empty
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(9L * SpoolRecord.SlotBytes + 60);

        await using var app = await StandaloneApplication.StartAsync();
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        await using (var sender = new OrderSender(Options(app.BaseAddress, _spool), logger: factory.CreateLogger<OrderSender>()))
        {
            Assert.True(await sender.FlushAsync());
        }

        var rows = RowsByClientOrderId(app.DatabasePath);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => $"spooled-{i}").Order(), rows.Keys.Order());
        Assert.Contains(logs.Entries, e => e.Contains("torn tail at record 9", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_skips_a_corrupt_record_in_the_middle_and_keeps_the_ones_around_it()
    {
        await SpoolWhileAwayAsync(10);
        var segment = Directory.GetFiles(_spool, "segment-*.log").Order().First(); // the first segment; the next one is mapped ahead, empty
        using (var file = new FileStream(segment, FileMode.Open))
        {
            file.Position = 4L * SpoolRecord.SlotBytes + SpoolRecord.HeaderBytes + 3;
            file.WriteByte(0x7f); // a flipped byte inside record 4: its checksum no longer matches
        }

        await using var app = await StandaloneApplication.StartAsync();
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        await using (var sender = new OrderSender(Options(app.BaseAddress, _spool), logger: factory.CreateLogger<OrderSender>()))
        {
            Assert.True(await sender.FlushAsync());
        }

        var rows = RowsByClientOrderId(app.DatabasePath);
        Assert.Equal(Enumerable.Range(0, 10).Where(i => i != 4).Select(i => $"spooled-{i}").Order(), rows.Keys.Order());
        Assert.Contains(logs.Entries,
            e => e.Contains("record 4 in", StringComparison.Ordinal) && e.Contains("torn or corrupt", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task TryEnqueue_answers_SpoolFull_at_the_size_limit_and_every_accepted_order_is_sent_later()
    {
        // 2 segments of 16 records: at most 32 orders wait.
        var options = Options(Nowhere(), _spool) with
        {
            SpoolSegmentBytes = 16L * SpoolRecord.SlotBytes,
            MaxSpoolBytes = 32L * SpoolRecord.SlotBytes,
            DrainTimeout = TimeSpan.Zero
        };
        var accepted = 0;
        await using (var sender = new OrderSender(options))
        {
            EnqueueStatus status;
            while ((status = sender.TryEnqueue(Order(accepted, "full", $"full-{accepted}"))) == EnqueueStatus.Accepted) accepted++;
            Assert.Equal(EnqueueStatus.SpoolFull, status);
        }
        Assert.InRange(accepted, 16, 32);

        await using var app = await StandaloneApplication.StartAsync();
        await using (var sender = new OrderSender(options with { Endpoint = app.BaseAddress }))
        {
            Assert.True(await sender.FlushAsync());
        }
        Assert.Equal(Enumerable.Range(0, accepted).Select(i => $"full-{i}").Order(), RowsByClientOrderId(app.DatabasePath).Keys.Order());
    }

    [RootFact(Timeout = TestTimeouts.Server)]
    public async Task TryEnqueue_answers_DiskFull_on_a_full_tmpfs_and_every_accepted_order_is_sent_later()
    {
        Directory.CreateDirectory(_spool);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", _spool);
        try
        {
            // 256 KiB segments on a 1 MiB disk, a 64 MiB limit: the disk fills first.
            var options = Options(Nowhere(), _spool) with
            {
                SpoolSegmentBytes = 682L * SpoolRecord.SlotBytes,
                MaxSpoolBytes = 64L << 20,
                DrainTimeout = TimeSpan.Zero
            };
            var accepted = 0;
            await using (var sender = new OrderSender(options))
            {
                var status = EnqueueStatus.Accepted;
                var deadline = DateTime.UtcNow.AddSeconds(60);
                while (status is EnqueueStatus.Accepted or EnqueueStatus.BufferFull && DateTime.UtcNow < deadline)
                {
                    status = sender.TryEnqueue(Order(accepted, "disk", $"disk-{accepted}"));
                    if (status == EnqueueStatus.Accepted) accepted++;
                    else if (status == EnqueueStatus.BufferFull) await Task.Delay(10); // the next segment is being mapped
                }
                Assert.Equal(EnqueueStatus.DiskFull, status);
            }
            Assert.True(accepted > 682, $"only {accepted} accepted");

            await using var app = await StandaloneApplication.StartAsync();
            await using (var sender = new OrderSender(options with { Endpoint = app.BaseAddress }))
            {
                Assert.True(await sender.FlushAsync());
            }
            Assert.Equal(Enumerable.Range(0, accepted).Select(i => $"disk-{i}").Order(), RowsByClientOrderId(app.DatabasePath).Keys.Order());
        }
        finally
        {
            Run("umount", _spool);
        }
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task OrderSender_refuses_to_open_a_spool_another_sender_holds()
    {
        await using var first = new OrderSender(Options(Nowhere(), _spool) with { DrainTimeout = TimeSpan.Zero });

        var error = Assert.Throws<OrderSpoolInUseException>(() => new OrderSender(Options(Nowhere(), _spool)));

        Assert.Contains(Path.GetFullPath(_spool), error.Message, StringComparison.Ordinal);
        Assert.Contains($"process {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
        Assert.Contains("one sender per spool directory", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_recycles_acknowledged_segments_and_stays_within_its_limit()
    {
        await using var app = await StandaloneApplication.StartAsync();
        var options = FourSegmentsOf64(app.BaseAddress);
        await using (var sender = new OrderSender(options))
        {
            for (var i = 0; i < 3000; i++) Assert.Equal(EnqueueStatus.Accepted, await sender.EnqueueAsync(Order(i)));
            Assert.True(await sender.FlushAsync());
            var files = Directory.GetFiles(_spool, "*.log");
            Assert.InRange(files.Length, 1, 6); // 3000 orders went through 47 segments' worth of space, in at most 4 live files (+ free ones)
        }
        Assert.Equal(3000, app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_recycling_segments_under_four_producers_stores_every_order_once()
    {
        // Segments of 64 records, 4 at most: released segments are reused (their mappings kept) while four threads append
        // and the sender acknowledges, about 125 times over.
        await using var app = await StandaloneApplication.StartAsync();
        var options = FourSegmentsOf64(app.BaseAddress);
        await using (var sender = new OrderSender(options))
        {
            await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(async () =>
            {
                for (var i = 0; i < 2000; i++) Assert.Equal(EnqueueStatus.Accepted, await sender.EnqueueAsync(Order(i, $"recycler{t}", $"recycler{t}-{i}")));
            })));
            Assert.True(await sender.FlushAsync());
        }
        Assert.Equal(8000, app.CountRows());
        var rows = RowsByClientOrderId(app.DatabasePath);
        Assert.Equal(Enumerable.Range(0, 4).SelectMany(t => Enumerable.Range(0, 2000).Select(i => $"recycler{t}-{i}")).Order(), rows.Keys.Order());
    }

    [Fact]
    public void Spool_reopened_reads_the_records_written_through_a_reused_mapping_from_the_files_they_were_renamed_to()
    {
        // Segments of 16 records. Segments 0 and 1 are acknowledged and released (their mappings kept, their files renamed
        // free); the next segments reuse them, each renamed again to its new index under its mapping. A new log on the
        // directory (the process gone) must find every unacknowledged record in the file of its segment.
        var prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        var options = SegmentsOf16(maxSegments: 16);
        using (var log = Open(options, prefix))
        {
            AppendAcknowledgeAndRelease(log, 32, "acked");
            AppendWaitingForSegments(log, 96, "kept"); // positions 32 to 127 (the tail may be beyond: the rest of this thread's block)
        }

        using var reopened = Open(options, prefix);
        Assert.Equal(128, reopened.Tail);
        Assert.Equal(Enumerable.Range(0, 96).Select(i => $"kept-{i}"), Enumerable.Range(32, 96).Select(p => reopened.Read(p).ClientOrderId));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StopAsync_while_threads_enqueue_keeps_every_accepted_order_in_the_spool()
    {
        var accepted = new int[4];
        var options = Options(Nowhere(), _spool) with { DrainTimeout = TimeSpan.Zero };
        await using (var sender = new OrderSender(options))
        {
            using var started = new CountdownEvent(4);
            var producers = Enumerable.Range(0, 4).Select(t => Task.Factory.StartNew(() =>
            {
                started.Signal();
                for (var i = 0; ; i++)
                {
                    var status = sender.TryEnqueue(Order(i, $"closing{t}", $"closing{t}-{i}"));
                    if (status == EnqueueStatus.Accepted) accepted[t]++;
                    else if (status == EnqueueStatus.Stopped) return;
                    else Thread.Yield(); // BufferFull while the next segment is mapped
                }
            }, TaskCreationOptions.LongRunning)).ToArray();
            started.Wait();
            await WaitUntilAsync(() => accepted.Sum() > 5000, "the producers enqueued");
            await sender.StopAsync(TimeSpan.Zero); // unmaps the spool while the producers run
            await Task.WhenAll(producers);
        }

        await using var app = await StandaloneApplication.StartAsync();
        await using (var sender = new OrderSender(options with { Endpoint = app.BaseAddress }))
        {
            Assert.True(await sender.FlushAsync());
        }
        Assert.Equal(accepted.Sum(), app.CountRows());
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task Spool_reopened_sends_the_records_after_the_unused_end_of_a_block_and_logs_nothing_torn()
    {
        // This thread leaves positions 8 to 14 of its block unused (the process ends there); another thread's records follow.
        var prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        var options = Options(Nowhere(), _spool) with { BlockQuickFill = AnyPace };
        using (var log = Open(options, prefix))
        {
            for (var i = 0; i < 8; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, "mine", $"mine-{i}")));
            OnOtherThread(() =>
            {
                for (var i = 0; i < 3; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, "theirs", $"theirs-{i}")));
            });
            Assert.Equal(18, log.Tail);
        }

        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using (var reopened = Open(options, prefix, factory.CreateLogger<OrderSender>()))
        {
            Assert.Equal(18, reopened.Tail);
            var writer = new System.Text.Json.Utf8JsonWriter(new System.Buffers.ArrayBufferWriter<byte>(), new System.Text.Json.JsonWriterOptions { SkipValidation = true });
            var states = Enumerable.Range(0, 18).Select(p => reopened.WriteJson(p, writer)).ToList();
            Assert.Equal(Enumerable.Repeat(SlotState.Ready, 8).Concat(Enumerable.Repeat(SlotState.Skip, 7)).Concat(Enumerable.Repeat(SlotState.Ready, 3)),
                states);
            Assert.Equal("theirs-2", reopened.Read(17).ClientOrderId);
        }
        Assert.DoesNotContain(logs.Entries, e => e.Contains("torn", StringComparison.Ordinal));

        await using var app = await StandaloneApplication.StartAsync();
        await using (var sender = new OrderSender(options with { Endpoint = app.BaseAddress }))
        {
            Assert.True(await sender.FlushAsync());
            Assert.Equal(0, sender.BufferedOrders);
        }
        Assert.Equal(
            Enumerable.Range(0, 8).Select(i => $"mine-{i}").Concat(Enumerable.Range(0, 3).Select(i => $"theirs-{i}")).Order(),
            RowsByClientOrderId(app.DatabasePath).Keys.Order());
    }

    [Fact]
    public void TryAppend_takes_a_new_block_when_the_rest_of_its_block_was_skipped_acknowledged_and_its_segment_released()
    {
        // Segments of 16 records, 4 at most. This thread's block ends at 15 with 8 to 14 unused; another thread takes 15.
        // The sender skips 8 to 14 and acknowledges up to 16, so the spool releases segment 0 (its file is reused for
        // segment 3); a third thread's orders then need segment 4, a new zeroed file mapped in segment 0's place.
        var prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        var options = Options(Nowhere(), _spool) with
        {
            SpoolSegmentBytes = 16L * SpoolRecord.SlotBytes,
            MaxSpoolBytes = 4L * 16 * SpoolRecord.SlotBytes,
            BlockQuickFill = AnyPace,
        };
        using var log = Open(options, prefix);
        for (var i = 0; i < 8; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, "mine", $"mine-{i}")));
        OnOtherThread(() => Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(0, "theirs", "theirs-0"))));
        Assert.Equal(16, log.Tail);
        for (var position = 8; position < 15; position++) Assert.True(log.TrySkip(position));
        log.Commit(16);
        // Synchronous waits: this thread's block is the subject, and an await could resume on another thread.
        Assert.True(SpinWait.SpinUntil(() => !File.Exists(Path.Combine(_spool, $"segment-{0:D12}.log")), TestTimeouts.Server / 2),
            "segment 0 was not released");
        OnOtherThread(() =>
        {
            for (var i = 1; i <= 17; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, "theirs", $"theirs-{i}")));
        });
        var tail = log.Tail;
        Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(_spool, $"segment-{4:D12}.log")), TestTimeouts.Server / 2),
            "segment 4 was not mapped");

        // This thread's next position would be 8, in the released segment's place: it must take a new block instead
        // (writing there would put the order in segment 4's slot of position 72, where the next writer overwrites it).
        Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(8, "mine", "mine-8")));
        Assert.Equal(tail + 1, log.Tail);
        Assert.Equal("mine-8", log.Read(tail).ClientOrderId);
    }

    [Fact]
    public void Spool_reopened_with_an_acknowledged_segment_not_yet_recycled_reuses_its_file_once_and_reports_no_full_disk()
    {
        // The process was killed after the position file moved past segment 0 and before the spool's thread recycled it.
        // Opening recycles it; listed among the free files twice, it was renamed twice, and the second rename (from a name
        // gone by then) was reported as a full disk.
        var prefix = ClientOrderIds.NewPrefix(DateTimeOffset.UtcNow);
        var options = SegmentsOf16(maxSegments: 8);
        using (var log = Open(options, prefix))
        {
            AppendAcknowledgeAndRelease(log, 40, "first");
        }
        // Segment 0 back in place (a copy of a live one will do: it is below the acknowledged position), and a free file.
        var live = Path.Combine(_spool, $"segment-{2:D12}.log");
        File.Copy(live, Path.Combine(_spool, $"segment-{0:D12}.log"));
        File.Copy(live, Path.Combine(_spool, "free-by-hand.log"));

        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(logs));
        using (var reopened = Open(options, prefix, factory.CreateLogger<OrderSender>()))
        {
            AppendWaitingForSegments(reopened, 96, "second");
            Assert.Null(reopened.DiskFullReason);
        }
        Assert.DoesNotContain(logs.Entries, e => e.Contains("is full", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task StopAsync_counts_the_orders_left_not_the_unused_positions_of_blocks()
    {
        var result = await SpoolWhileAwayAsync(10); // blocks of 1, 2, 4 and 8: positions 10 to 14 reserved, unused

        Assert.Equal(10, result.OrdersLeft);
    }

    private OrderSenderOptions FourSegmentsOf64(Uri endpoint) =>
        Options(endpoint, _spool) with { SpoolSegmentBytes = 64L * SpoolRecord.SlotBytes, MaxSpoolBytes = 4 * 64L * SpoolRecord.SlotBytes };

    /// <summary>A spool log on the options' directory, as a sender opens it (no logging unless a logger is given).</summary>
    private static SpoolOrderLog Open(OrderSenderOptions options, byte[] prefix, ILogger? logger = null) =>
        new(options, prefix, logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private OrderSenderOptions SegmentsOf16(int maxSegments) =>
        Options(Nowhere(), _spool) with { SpoolSegmentBytes = 16L * SpoolRecord.SlotBytes, MaxSpoolBytes = maxSegments * 16L * SpoolRecord.SlotBytes };

    /// <summary>Appends <paramref name="count"/> orders (a multiple of 16), acknowledges them, and waits until segment 1 is released.</summary>
    private void AppendAcknowledgeAndRelease(SpoolOrderLog log, int count, string name)
    {
        for (var i = 0; i < count; i++) Assert.Equal(EnqueueStatus.Accepted, log.TryAppend(Order(i, name, $"{name}-{i}")));
        log.Commit(count);
        Assert.True(SpinWait.SpinUntil(() => !File.Exists(Path.Combine(_spool, $"segment-{1:D12}.log")), TestTimeouts.Server / 2),
            "segments 0 and 1 were not released");
    }

    /// <summary>Appends <paramref name="count"/> orders, waiting while the spool's thread maps the next segment (BufferFull).</summary>
    private static void AppendWaitingForSegments(SpoolOrderLog log, int count, string name)
    {
        var deadline = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            EnqueueStatus status;
            while ((status = log.TryAppend(Order(i, name, $"{name}-{i}"))) == EnqueueStatus.BufferFull && deadline.ElapsedMilliseconds < TestTimeouts.Server / 2)
            {
                Thread.Sleep(1);
            }
            Assert.Equal(EnqueueStatus.Accepted, status);
        }
    }

    private async Task<OrderSenderDrainResult> SpoolWhileAwayAsync(int count)
    {
        await using var sender = new OrderSender(Options(Nowhere(), _spool) with { DrainTimeout = TimeSpan.Zero });
        for (var i = 0; i < count; i++) Assert.Equal(EnqueueStatus.Accepted, sender.TryEnqueue(Order(i, "spooled", $"spooled-{i}")));
        return await sender.StopAsync(TimeSpan.Zero);
    }

    private static void Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed: {error}");
    }
}
