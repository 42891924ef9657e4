using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OrderFunctions.Telemetry;

namespace OrderFunctions.Tests.Storage;

/// <summary>
/// Holds the order writer on a signal, through its telemetry only (no queue or engine type): the commit span
/// (<see cref="OrderTelemetry.CommitActivityName"/>) starts on the writer thread before the engine writes, and an
/// <see cref="ActivityListener"/> is called synchronously there. The first commit of this hold's trace blocks in that
/// call until <see cref="Release"/>; callers queued meanwhile wait behind it, as they would behind a slow disk.
/// Orders must be sent after the hold is created (it starts the trace, <see cref="Activity.Current"/>, they carry).
/// </summary>
internal sealed class WriterHold : IDisposable
{
    private const string TestsSource = "OrderFunctions.Tests.WriterHold";
    private static readonly ActivitySource Tests = new(TestsSource);

    private readonly ActivityListener _listener;
    private readonly Activity _trace;
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActivityTraceId _traceId;
    private int _commits;

    public WriterHold()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is OrderTelemetry.Name or TestsSource, // by name: Tests may be created during this call
            // Only this test's commits are recorded (other tests' hosts commit in parallel).
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Source.Name == TestsSource || options.Parent.TraceId == _traceId
                    && _traceId != default ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStarted = Started,
        };
        ActivitySource.AddActivityListener(_listener);
        _trace = Tests.StartActivity("writer-hold")!;
        _traceId = _trace.TraceId;
    }

    /// <summary>Completes once the writer is held inside its first commit of this trace.</summary>
    public Task Held => _held.Task;

    /// <summary>Commits of this trace the writer has started.</summary>
    public int Commits => Volatile.Read(ref _commits);

    public void Release() => _released.Set();

    private void Started(Activity activity)
    {
        if (activity.OperationName != OrderTelemetry.CommitActivityName || _traceId == default || activity.TraceId != _traceId) return;
        if (Interlocked.Increment(ref _commits) != 1) return;
        _held.TrySetResult();
        _released.Wait(TimeSpan.FromSeconds(90)); // a test that fails before releasing must not hold the writer forever
    }

    public void Dispose()
    {
        Release();
        _trace.Dispose();
        _listener.Dispose();
    }

    /// <summary>
    /// Waits until <paramref name="count"/> requests wait in the app's write queue, read from its
    /// <see cref="OrderMetrics.WriteQueueDepth"/> gauge as an exporter reads it.
    /// </summary>
    public static async Task WaitForQueuedAsync(IServiceProvider services, int count)
    {
        using var depth = new MetricCollector<int>(services.GetRequiredService<IMeterFactory>(), OrderTelemetry.Name, OrderMetrics.WriteQueueDepth);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            depth.RecordObservableInstruments();
            var queued = depth.LastMeasurement?.Value ?? 0;
            if (queued == count) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited 60 s for {count} queued requests; the write queue holds {queued}");
            await Task.Delay(10);
        }
    }
}
