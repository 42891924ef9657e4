using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrderFunctions.Storage;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// Health over the write queue and the engine's probe: after a failed write it has the writer reconnect and the probe
/// prove a write, and forgets the failure once both work; with no failure it only probes.
/// </summary>
public sealed class OrderStoreHealthTests
{
    private const string Down = "the test store is down";

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CheckAsync_probes_without_a_write_when_no_write_failed()
    {
        using var engine = new OpeningEngine();
        var probe = new RecordingProbe();
        var (health, queue, failure) = Health(engine, probe);
        using var _ = queue;
        await queue.StartAsync(default);

        var state = await health.CheckAsync();

        Assert.True(state.IsHealthy);
        Assert.Null(state.Problem);
        Assert.Equal([false], probe.ProveWrite);
        Assert.Equal(1, engine.Opens); // the writer's start only: no reconnect
        Assert.Null(failure.Reason);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CheckAsync_answers_the_reconnects_cause_without_probing_when_a_write_failed_and_the_store_stays_down()
    {
        using var engine = new OpeningEngine { OpenFails = true };
        var probe = new RecordingProbe();
        var (health, queue, failure) = Health(engine, probe);
        using var _ = queue;
        await queue.StartAsync(default);
        failure.Failed("the last write failed");

        var state = await health.CheckAsync();

        Assert.False(state.IsHealthy);
        Assert.Equal(Down, state.Problem);
        Assert.Equal(TimeSpan.FromSeconds(9), state.RetryAfter);
        Assert.Empty(probe.ProveWrite);
        Assert.Equal(Down, failure.Reason); // the reconnect's own failure, recorded by the queue
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CheckAsync_proves_a_write_and_forgets_the_failure_when_a_write_failed_and_the_store_is_back()
    {
        using var engine = new OpeningEngine();
        var probe = new RecordingProbe();
        var (health, queue, failure) = Health(engine, probe);
        using var _ = queue;
        await queue.StartAsync(default);
        failure.Failed("the last write failed");

        var state = await health.CheckAsync();
        var next = await health.CheckAsync();

        Assert.True(state.IsHealthy);
        Assert.True(next.IsHealthy);
        Assert.Equal([true, false], probe.ProveWrite); // a write proven once, then a plain probe: the failure is forgotten
        Assert.Equal(2, engine.Opens); // the start, and the one reconnect
        Assert.Null(failure.Reason);
    }

    [Fact(Timeout = TestTimeouts.Server)]
    public async Task CheckAsync_keeps_the_failure_and_answers_the_probes_cause_when_the_store_reconnects_but_cannot_write()
    {
        using var engine = new OpeningEngine();
        var probe = new RecordingProbe { Problem = "the database file is read-only" };
        var (health, queue, failure) = Health(engine, probe);
        using var _ = queue;
        await queue.StartAsync(default);
        failure.Failed("the last write failed");

        var state = await health.CheckAsync();

        Assert.Equal("the database file is read-only", state.Problem);
        Assert.Equal(TimeSpan.FromSeconds(9), state.RetryAfter);
        Assert.Equal([true], probe.ProveWrite);
        Assert.Equal("the last write failed", failure.Reason);
    }

    private static (OrderStoreHealth Health, OrderWriteQueue Queue, LastWriteFailure Failure) Health(OpeningEngine engine, RecordingProbe probe)
    {
        var options = Options.Create(new OrderStorageOptions { RetryAfterSeconds = 9 });
        var failure = new LastWriteFailure();
        var queue = new OrderWriteQueue<int>(engine, options, NullLogger<OrderWriteQueue>.Instance, failure);
        return (new OrderStoreHealth(queue, failure, probe, options), queue, failure);
    }

    /// <summary>A probe that records what it was asked and answers <see cref="Problem"/>.</summary>
    private sealed class RecordingProbe : IOrderStoreProbe
    {
        private readonly ConcurrentQueue<bool> _proveWrite = new();

        public string? Problem { get; init; }

        public IReadOnlyList<bool> ProveWrite => [.. _proveWrite];

        public Task<string?> ProbeAsync(bool proveWrite, CancellationToken cancellationToken = default)
        {
            _proveWrite.Enqueue(proveWrite);
            return Task.FromResult(Problem);
        }
    }

    /// <summary>An engine that only opens (or fails to, with <see cref="Down"/>); health never writes through the queue.</summary>
    private sealed class OpeningEngine : IOrderBatchWriter<int>
    {
        private int _opens;

        public volatile bool OpenFails;

        public int Opens => Volatile.Read(ref _opens);

        public string SystemName => "test";

        public int Prepare(OrderWrite write) => 0;

        public IReadOnlyList<WriteResult> Write(IReadOnlyList<int> batch) => throw new NotSupportedException();

        public void Release(int prepared)
        {
        }

        public void Open()
        {
            Interlocked.Increment(ref _opens);
            if (OpenFails) throw new TimeoutException(Down);
        }

        public void Reset()
        {
        }

        public string? DescribeFault(Exception exception) => exception is TimeoutException ? exception.Message : null;

        public void Dispose()
        {
        }
    }
}
